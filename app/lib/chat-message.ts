/** What the browser makes of the server's room events once it has opened what was sealed in them. */
import type { MessageImage } from "./crypto/message-payload";
import type { ChatNoticeView, DeliveryStatus, RoomEvent } from "~/shared/room-events";

/** A message as the browser shows it, once opened. */
export interface ChatMessage {
  id: number;
  sender: string;
  text: string;
  timestamp: number;
  /** True when the viewer sent it; computed per viewer, tokens never leave the server. */
  mine: boolean;
  /** The id the sender's browser gave this send; kept on own messages (it confirms the pending bubble). */
  clientId?: string;
  /**
   * It arrived, but the room key could not open it (sealed with another key, or tampered with):
   * `sender` and `text` are empty and the bubble says so.
   */
  undecryptable?: true;
  /** An image message: what its sealed payload says about the picture (`text` is empty). */
  image?: MessageImage;
  /**
   * Own messages only, as of when this copy was read (`message.list`, `message.send`). Live
   * progress arrives as `receipts` events, which apply to every own message at or below an id.
   */
  status?: DeliveryStatus;
  /**
   * Direct chats: when it disappears, on this browser's clock (the server's time left when it
   * sent this copy, from the moment it arrived here).
   */
  expiresAt?: number;
  /** Direct chats: a notice in the log instead of a message (`mine` says who did it). */
  notice?: ChatNoticeView;
}

/**
 * A stream event once this browser has opened what was sealed in it: a message as it is shown,
 * a typing indicator with the typist's name, a member's name (null when it could not be opened). Public keys are
 * the key agreement's business and never reach the page's state.
 */
export type OpenedRoomEvent =
  | Exclude<RoomEvent, { type: "message" } | { type: "typing" } | { type: "partner-keys" } | { type: "name" }>
  | { type: "message"; message: ChatMessage }
  /** A member's announced name, opened; null when it could not be (sealed with another key). */
  | { type: "name"; mine: boolean; name: string | null }
  | { type: "typing"; typing: boolean; name: string | null; expiresInMs: number };
