/** What the browser receives; shared as types only, so no server code reaches the bundle. */
export interface ChatMessage {
  id: number;
  sender: string;
  text: string;
  timestamp: number;
  /** True when the viewer sent it; computed per viewer, tokens never leave the server. */
  mine: boolean;
}

export type RoomEvent =
  | { type: "message"; message: ChatMessage }
  | { type: "destroyed" }
  | { type: "expired" };
