/** What the browser receives; shared as types only, so no server code reaches the bundle. */
export interface ChatMessage {
  id: number;
  sender: string;
  text: string;
  timestamp: number;
  /** True when the viewer sent it; computed per viewer, tokens never leave the server. */
  mine: boolean;
  /** The id the sender's browser gave this send; only ever shown back to the sender. */
  clientId?: string;
}

export type RoomEvent =
  | { type: "message"; message: ChatMessage }
  /** How many of the two seats are taken. */
  | { type: "members"; count: number }
  | { type: "destroyed" }
  | { type: "expired" };
