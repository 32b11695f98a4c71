/** What a room's stream and its procedures send the browser: the server writes these, the browser reads them. */

/** How far one of the viewer's own messages has got: stored, on the partner's device, read. */
export type DeliveryStatus = "sent" | "delivered" | "seen";

/**
 * A message as the server relays it: sealed in the sender's browser with the room key (the
 * sender's name and the text inside), bound to the room and `clientId`. Only the two browsers can
 * open it.
 */
export interface SealedMessage {
  id: number;
  ciphertext: string;
  /** The sender's id for the send; the ciphertext is bound to it. */
  clientId: string;
  timestamp: number;
  /** True when the viewer sent it; computed per viewer, tokens never leave the server. */
  mine: boolean;
  /** Own messages only, as of when this copy was read (`message.list`; a send's answer is `SentMessage`). */
  status?: DeliveryStatus;
  /**
   * Direct chats only: how long until the message disappears, as of when the server sent this
   * copy (a duration, so the browser's clock need not agree with the server's).
   */
  expiresInMs?: number;
  /** Direct chats only: a notice in place of a message (`ciphertext` is empty); `mine` says who. */
  notice?: ChatNoticeView;
}

/**
 * The answer to `message.send`: what the sender's browser lacks of its own message, the id and
 * time the server gave it (and, in a direct chat, how long it has left). The sealed text is not
 * echoed back: the sender has it, and a long message would cross the network twice. A retried
 * send gets the first copy's answer.
 */
export interface SentMessage {
  id: number;
  clientId: string;
  timestamp: number;
  status: "sent";
  /** Direct chats only, as in `SealedMessage`. */
  expiresInMs?: number;
}

/** A direct chat's notices: the disappearing timer changed, or the chat was cleared. */
export type ChatNoticeView = { kind: "timer"; timerSeconds: number } | { kind: "cleared" };

/**
 * Events on a room's one stream. Besides history (`message`) and the end (`destroyed`,
 * `expired`), the rest are state about the partner: each is sent once when the stream opens
 * (or resumes) and again whenever it changes, so a client that missed changes is simply told
 * the current state.
 */
export type RoomEvent =
  | { type: "message"; message: SealedMessage }
  /** How many of the two seats are taken. */
  | { type: "members"; count: number }
  /**
   * Whether the partner has the room open (an event stream on any instance). `lastSeen` is when
   * they were last here (ms since epoch), null if nobody else has ever joined.
   */
  | { type: "presence"; here: boolean; lastSeen: number | null }
  /**
   * The partner started or stopped typing; `name` is sealed (empty when stopping). `expiresInMs` bounds a `typing: true` that is never
   * followed by a stop (a vanished client): the indicator clears by itself after it.
   */
  | { type: "typing"; typing: boolean; name: string; expiresInMs: number }
  /**
   * The partner's public keys for key agreement (stranger chats), sent when the stream opens and
   * whenever they change. The two browsers derive the room key from them; the server cannot.
   */
  | { type: "partner-keys"; publicKeys: string }
  /**
   * The name a member of a private room goes by, sealed by their browser: the partner's, or with
   * `mine` the viewer's own. Sent when the stream opens (before `members`) and when it changes.
   */
  | { type: "name"; mine: boolean; name: string }
  /**
   * The partner's receipts as watermarks: every own message with id ≤ `delivered` reached their
   * device, every one with id ≤ `seen` was on their visible screen. Never decrease.
   */
  | { type: "receipts"; delivered: number; seen: number }
  /** The partner pressed "Leave room": their seat is free for one new person. */
  | { type: "partner-left" }
  /**
   * Someone new took the seat the partner gave up: the server never gives them a message with an
   * id up to `after` (sent before they arrived). Sent when the stream opens and when it happens.
   */
  | { type: "partner-arrived"; after: number }
  /** The viewer gave up their seat (in another tab): this stream ends here. */
  | { type: "left" }
  /**
   * The room is gone before its deadline: someone destroyed it (or ended the stranger chat), or,
   * with `reason: "lost"`, nobody did and the server lost it (its Redis restarted empty or ran
   * out of memory). Either way every message in it is gone.
   */
  | { type: "destroyed"; reason?: "lost" }
  /** A direct chat was cleared (by either person): remove every message with an id up to `upTo`. */
  | { type: "cleared"; upTo: number }
  /**
   * The server lost messages it had acknowledged (its Redis failed over before they were copied):
   * none with an id strictly between `after` and `before` exists any more, and no later message
   * takes such an id. The viewer's own among them were not sent after all (offer Retry).
   */
  | { type: "lost"; after: number; before: number }
  | { type: "expired" };
