/** A message as stored: `author` is the join ordinal of the member who sent it, never a token. */
export interface StoredMessage {
  id: number;
  author: number;
  sender: string;
  text: string;
  timestamp: number;
  /** The sender's own id for the send, so their optimistic bubble can be matched exactly. */
  clientId?: string;
}

/**
 * Events on a room's channel. Expiry is not published: each stream times it itself. `resync` is
 * local: the store's subscription was interrupted, so events may have been missed and listeners
 * must re-read the stored state.
 */
export type PublishedEvent =
  | { type: "message"; message: StoredMessage }
  | { type: "members"; count: number }
  | { type: "destroyed"; id: number }
  | { type: "resync" };

/** The backing store cannot be reached right now; the operation may succeed if retried. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}

export type RoomEventListener = (event: PublishedEvent) => void;

export type MemberStatus =
  | { status: "not-found" }
  | { status: "not-member"; ttlMs: number }
  | { status: "member"; seat: number; ttlMs: number };

export type JoinOutcome =
  | { status: "not-found" }
  | { status: "full"; ttlMs: number }
  | { status: "member" | "joined"; seat: number; ttlMs: number };

export interface NewMessage {
  author: number;
  sender: string;
  text: string;
  clientId?: string;
}

export type MemberAppendOutcome =
  | { status: "not-found" }
  | { status: "not-member" }
  | { status: "stored"; message: StoredMessage };

export const ROOM_CAPACITY = 2;
export const MESSAGE_CAP = 1000;

/**
 * Everything a room needs from storage. Both implementations pass `room-store.contract.ts`.
 * Member ids are hashes of room tokens: a store never sees a token itself.
 */
export interface RoomStore {
  readonly kind: "memory" | "redis";
  createRoom(roomId: string, ttlMs: number): Promise<{ expiresAt: number }>;
  /** Remaining lifetime in ms, or null when the room is gone. */
  ttl(roomId: string): Promise<number | null>;
  /**
   * Atomic check-and-add: never more than ROOM_CAPACITY members, however many arrive at once.
   * A new member is announced to subscribers as a `members` event.
   */
  join(roomId: string, memberId: string): Promise<JoinOutcome>;
  /** How many seats are taken, or null when the room is gone. */
  memberCount(roomId: string): Promise<number | null>;
  memberStatus(roomId: string, memberId: string): Promise<MemberStatus>;
  /** Stores the message with the next event id and publishes it; null when the room is gone. */
  appendMessage(roomId: string, message: NewMessage): Promise<StoredMessage | null>;
  /**
   * A member's send: checks the seat and stores under it in one step (one Redis round trip per
   * message, the hot path).
   */
  appendMemberMessage(roomId: string, memberId: string, message: Omit<NewMessage, "author">): Promise<MemberAppendOutcome>;
  /** Stored messages with id > afterId, oldest first; null when the room is gone. */
  messagesAfter(roomId: string, afterId: number): Promise<StoredMessage[] | null>;
  /** Deletes every key of the room and publishes `destroyed`; false when it was already gone. */
  destroy(roomId: string): Promise<boolean>;
  /** Resolves once live delivery is in place, so a backlog read afterwards cannot miss anything. */
  subscribe(roomId: string, listener: RoomEventListener): Promise<() => void>;
  /** Throws when the backing store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
