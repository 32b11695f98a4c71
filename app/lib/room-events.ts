/** What the browser receives; shared as types only, so no server code reaches the bundle. */

/** How far one of the viewer's own messages has got: stored, on the partner's device, read. */
export type DeliveryStatus = "sent" | "delivered" | "seen";

export interface ChatMessage {
  id: number;
  sender: string;
  text: string;
  timestamp: number;
  /** True when the viewer sent it; computed per viewer, tokens never leave the server. */
  mine: boolean;
  /** The id the sender's browser gave this send; only ever shown back to the sender. */
  clientId?: string;
  /**
   * Own messages only, as of when this copy was read (`message.list`, `message.send`). Live
   * progress arrives as `receipts` events, which apply to every own message at or below an id.
   */
  status?: DeliveryStatus;
}

/**
 * Events on a room's one stream. Besides history (`message`) and the end (`destroyed`,
 * `expired`), the rest are state about the partner: each is sent once when the stream opens
 * (or resumes) and again whenever it changes, so a client that missed changes is simply told
 * the current state.
 */
export type RoomEvent =
  | { type: "message"; message: ChatMessage }
  /** How many of the two seats are taken. */
  | { type: "members"; count: number }
  /**
   * Whether the partner has the room open (an event stream on any instance). `lastSeen` is when
   * they were last here (ms since epoch), null if nobody else has ever joined.
   */
  | { type: "presence"; here: boolean; lastSeen: number | null }
  /**
   * The partner started or stopped typing. `expiresInMs` bounds a `typing: true` that is never
   * followed by a stop (a vanished client): the indicator clears by itself after it.
   */
  | { type: "typing"; typing: boolean; name: string; expiresInMs: number }
  /**
   * The partner's receipts as watermarks: every own message with id ≤ `delivered` reached their
   * device, every one with id ≤ `seen` was on their visible screen. Never decrease.
   */
  | { type: "receipts"; delivered: number; seen: number }
  /** The partner pressed "Leave room": their seat is free for one new person. */
  | { type: "partner-left" }
  /** The viewer gave up their seat (in another tab): this stream ends here. */
  | { type: "left" }
  | { type: "destroyed" }
  | { type: "expired" };
