import type { RoomKind } from "~/shared/room-kinds";

/**
 * A message as stored: `author` is the join ordinal of the member who sent it, never a token.
 * `ciphertext` is sealed in the sender's browser (name and text inside): the server cannot read it.
 */
export interface StoredMessage {
  id: number;
  author: number;
  ciphertext: string;
  timestamp: number;
  /** The sender's own id for the send, so their optimistic bubble can be matched exactly. */
  clientId?: string;
  /**
   * Direct chats only: when this message disappears (ms since epoch, the store's clock). It is
   * never listed, streamed or replayed from then on. Rooms have one deadline for everything.
   */
  expiresAt?: number;
  /** Direct chats only: a notice stored in the log in place of a sealed message (empty ciphertext). */
  notice?: ChatNotice;
}

/** What a direct chat's log records besides messages; `author` is the seat that did it. */
export type ChatNotice = { kind: "timer"; timerMs: number } | { kind: "cleared" };

/**
 * Events on a room's channel. Expiry is not published: each stream times it itself. `resync` is
 * local: the store's subscription was interrupted, so events may have been missed and listeners
 * must re-read the stored state.
 */
export type PublishedEvent =
  | { type: "message"; message: StoredMessage }
  | { type: "members"; count: number }
  /** A seat's presence changed: its first stream opened, or its last one stayed closed past the grace period. */
  | { type: "presence"; seat: number; here: boolean; lastSeen: number | null }
  /**
   * A seat's last stream closed; it counts as here until `until` (ms since epoch), so a reload
   * does not flap. Internal: instances with listeners in the room settle it when that passes.
   */
  | { type: "presence-grace"; seat: number; until: number }
  /** `name` is sealed by the typist's browser (empty when stopping): the server relays it unread. */
  | { type: "typing"; seat: number; typing: boolean; name: string; expiresInMs: number }
  /** A seat's public keys for a stranger chat's key agreement (opaque to the server). */
  | { type: "keys"; seat: number; publicKeys: string }
  /** A seat announced (or changed) the name it goes by, sealed by its browser: relayed unread. */
  | { type: "name"; seat: number; name: string }
  /** A seat's receipt watermarks (event ids), never decreasing. */
  | { type: "receipts"; seat: number; delivered: number; seen: number }
  /** A member pressed "Leave room": the seat is free again. */
  | { type: "left"; seat: number }
  /** Someone took a seat given up with "Leave room": they read nothing up to message `after`. */
  | { type: "arrived"; seat: number; after: number }
  | { type: "destroyed"; id: number }
  /** A direct chat was cleared: every message with an id up to `upTo` is gone for both. */
  | { type: "cleared"; upTo: number }
  /**
   * The store lost acknowledged writes (a Redis failover, decision 031): no message with an id
   * above `after` and below `before` exists, and none will; ids go on from `before`.
   */
  | ({ type: "lost" } & IdSpan)
  | { type: "resync" };

/** One seat's presence as of a read; `here` includes the grace period after its last stream closed. */
export interface SeatPresence {
  seat: number;
  here: boolean;
  lastSeen: number | null;
}

export interface SeatReceipts {
  seat: number;
  delivered: number;
  seen: number;
}

export interface SeatKeys {
  seat: number;
  publicKeys: string;
}

/** The name a seat goes by, sealed by its browser (the server cannot read it). */
export interface SeatName {
  seat: number;
  name: string;
}

/** Where a seat taken after a "Leave room" starts reading: messages with ids above `after`. */
export interface SeatArrival {
  seat: number;
  after: number;
}

/** A typing signal's start: the sealed name, and the draft (its message's clientId to be) when the browser says. */
export interface TypingStart {
  name: string;
  draft?: string;
}

export interface SeatTyping {
  seat: number;
  name: string;
  expiresInMs: number;
}

/** Everything about a room that is state rather than history, read in one step. */
export interface RoomState {
  memberCount: number;
  presence: SeatPresence[];
  receipts: SeatReceipts[];
  typing: SeatTyping[];
  /** Public keys published for key agreement, per seat (stranger chats). */
  keys: SeatKeys[];
  /** The sealed names seats announced, the latest of each (private rooms). */
  names: SeatName[];
  /** Seats that arrived after someone left, and the last message before each arrived. */
  arrivals: SeatArrival[];
  /** The id of the room's last message (0: none yet): never below one handed out, unless lost. */
  lastId: number;
  /** The latest span of ids lost in a failover (see PublishedEvent `lost`), if the room had one. */
  lost?: IdSpan;
}

/** Message ids strictly between `after` and `before`. */
export interface IdSpan {
  after: number;
  before: number;
}

export type RoomEventListener = (event: PublishedEvent) => void;

export type MemberStatus =
  { status: "not-found" } | { status: "not-member"; ttlMs: number } | { status: "member"; seat: number; ttlMs: number };

export type JoinOutcome =
  | { status: "not-found" }
  | { status: "full"; ttlMs: number }
  /** `keyCheck`: what the creator's browser derived from the room key (see createRoom), or null. */
  | { status: "member" | "joined"; seat: number; ttlMs: number; kind: RoomKind; keyCheck: string | null };

/** A direct chat's settings, as `openDirectChat` and `directChatInfo` read them. */
export interface DirectChatInfo {
  /** False when the chat already existed. */
  created: boolean;
  /** How long a message sent now lasts. */
  timerMs: number;
  /** The seat that blocked the other, or null. */
  blockedBy: number | null;
  /** When the chat's last key expires: its last message's expiry, or an unused chat's end. */
  expiresAt: number;
}

/** A seat held for someone who has not opened the room yet: `v:<visitorId>` for a matched stranger. */
export const claimFor = (visitorId: string) => `v:${visitorId}`;

export interface NewMessage {
  author: number;
  ciphertext: string;
  clientId?: string;
}

/** `store-full`: the in-memory store holds as many image bytes as it may, in all rooms together. */
export type ImagePutOutcome = "stored" | "not-found" | "not-member" | "exists" | "room-full" | "store-full";
export type ImageGetOutcome =
  { status: "found"; bytes: Uint8Array } | { status: "not-found" | "not-member" | "no-image" };

/** Sealed image bytes a room may hold in all: Redis memory is shared by every room. */
export const ROOM_IMAGE_BYTES_MAX = 24 * 1024 * 1024;

export type MemberAppendOutcome =
  | { status: "not-found" }
  | { status: "not-member" }
  /** A direct chat where one of the two blocked the other: nothing is stored. */
  | { status: "blocked" }
  /** `duplicate`: this author already sent this clientId; `message` is the one stored then. */
  | { status: "stored" | "duplicate"; message: StoredMessage };

export const ROOM_CAPACITY = 2;
/** Stored messages per room; a send's clientId is remembered as long as its message is. */
export const MESSAGE_CAP = 1000;
/** How long a "typing" signal lasts unless renewed: a vanished client never leaves it stuck. */
export const TYPING_TTL_MS = 3000;

/** How long a seat whose last stream closed still counts as here: a reload must not flap. */
export const DEFAULT_PRESENCE_GRACE_MS = 5000;

/**
 * Everything a room needs from storage. Both implementations pass `room-store.contract.ts`.
 * Member ids are hashes of room tokens: a store never sees a token itself.
 */
/** Which stored messages `messagesAfter` returns beyond "after this id". */
export interface MessagesAfterOptions {
  /** The reader's seat: nothing from before it arrived. */
  seat?: number;
  /** At most this many, the first ones. */
  limit?: number;
}

export interface RoomStore {
  readonly kind: "memory" | "redis";
  /**
   * `keyCheck` is a value the creator's browser derived from the room key (never the key), kept
   * with the room and handed to each member on `join`, so a browser can tell a wrong key at once.
   */
  createRoom(roomId: string, ttlMs: number, keyCheck?: string): Promise<{ expiresAt: number }>;
  /**
   * Atomic check-and-add: never more than ROOM_CAPACITY members, however many arrive at once.
   * A new member is announced to subscribers as a `members` event. With `claim`, a seat held
   * under that name (see `claimFor`) is handed to `memberId` instead. Once someone has left with
   * "Leave room", a new member's seat starts at the room's last message, in the same step (an
   * `arrived` event): what the two before them said is not theirs to read.
   */
  join(roomId: string, memberId: string, claim?: string): Promise<JoinOutcome>;
  memberStatus(roomId: string, memberId: string): Promise<MemberStatus>;
  /**
   * A member's send: checks the seat and stores under it in one step (one Redis round trip per
   * message, the hot path). A clientId this author already used returns the first copy instead.
   */
  appendMemberMessage(
    roomId: string,
    memberId: string,
    message: Omit<NewMessage, "author">,
  ): Promise<MemberAppendOutcome>;
  /**
   * Marks one of the seat's event streams as open (announcing the seat as here if it was not);
   * resolves to the function to call when the stream closes, which starts the grace period once
   * the seat's last stream anywhere has closed.
   */
  connect(roomId: string, seat: number): Promise<() => void>;
  /** Presence, receipts, typing and seats of the room; null when the room is gone. */
  roomState(roomId: string): Promise<RoomState | null>;
  /**
   * Starts (with the typist's name) or stops a seat's typing signal; false when the room is gone.
   * A start for a `draft` (the clientId its message will carry) that seat already sent is stale,
   * overtaken by its message on the way, and changes nothing.
   */
  setTyping(roomId: string, seat: number, typing: TypingStart | null): Promise<boolean>;
  /** Publishes (or replaces) a seat's public keys for key agreement; false when the room is gone. */
  publishKeys(roomId: string, seat: number, publicKeys: string): Promise<boolean>;
  /**
   * Keeps (or replaces) the sealed name a seat goes by, with the room's deadline, for whoever
   * opens the room later, and publishes it to those already here; false when the room is gone.
   * Forgotten when the seat is given up.
   */
  setName(roomId: string, seat: number, sealedName: string): Promise<boolean>;
  /**
   * Keeps a member's sealed image under an id of their browser's choosing, until the room ends.
   * An id is written once (`exists`); a room holds at most ROOM_IMAGE_BYTES_MAX (`room-full`).
   */
  putImage(roomId: string, memberId: string, imageId: string, bytes: Uint8Array): Promise<ImagePutOutcome>;
  /** A stored image, for members of the room only. */
  getImage(roomId: string, memberId: string, imageId: string): Promise<ImageGetOutcome>;
  /** Raises a seat's receipt watermarks (never lowers them, never past the last event); false when gone. */
  markReceipts(roomId: string, seat: number, delivered: number, seen: number): Promise<boolean>;
  /**
   * Gives up a member's seat for good, announcing `left` and the new count. A stranger chat's
   * seats are never given up (nobody else may take one): it ends instead (`match`). `unread`: the
   * visit could read nothing (its link had no key, or the wrong one), so the seat is given back
   * as it was and whoever takes it next is not treated as arriving after a departure.
   */
  leave(roomId: string, memberId: string, options?: { unread?: boolean }): Promise<"left" | "not-member" | "match">;
  /**
   * Stored messages with id > afterId, oldest first; null when the room is gone. With `seat`,
   * only what that seat may read: nothing from before it arrived, whatever `afterId` says. With
   * `limit`, at most that many (the first ones).
   */
  messagesAfter(roomId: string, afterId: number, options?: MessagesAfterOptions): Promise<StoredMessage[] | null>;
  /** Deletes every key of the room and publishes `destroyed`; false when it was already gone. */
  destroy(roomId: string): Promise<boolean>;
  /**
   * For a room that is gone before its deadline: whether it was ended on purpose (destroyed, a
   * stranger chat ended), known for a minute afterwards; false means the store lost it.
   */
  wasEnded(roomId: string): Promise<boolean>;
  /** Resolves once live delivery is in place, so a backlog read afterwards cannot miss anything. */
  subscribe(roomId: string, listener: RoomEventListener): Promise<() => void>;
  /**
   * Opens a direct chat (kind `direct`) for two members, seated 1 and 2 in the order given, and
   * returns its settings. Idempotent: an existing chat keeps its timer, block and messages (and
   * `created` is false). A new chat lives `timerMs` with no message, so one opened and never used
   * leaves nothing behind; its later deadline is its last message's expiry (see `expiresAt`).
   * Members are account-derived ids (never an account id). `join` never seats anyone in a direct
   * chat (it answers `not-found`), and `leave` never frees one of its seats (it answers `match`).
   */
  openDirectChat(chatId: string, members: [string, string], timerMs: number): Promise<DirectChatInfo>;
  /** The direct chat's settings and deadline; null when it is gone (or not a direct chat). */
  directChatInfo(chatId: string): Promise<DirectChatInfo | null>;
  /**
   * Sets how long the chat's next messages last, and records it in the log as a `timer` notice
   * by `seat` (published as a message, expiring like one). Earlier messages keep their expiry.
   * The notice, or null when the chat is gone.
   */
  setChatTimer(chatId: string, seat: number, timerMs: number): Promise<StoredMessage | null>;
  /**
   * Deletes every message and image of the chat for both (publishing `cleared` up to the last id),
   * then records a `cleared` notice by `seat`. Ids keep counting up: none is ever reused.
   * The notice, or null when the chat is gone.
   */
  clearChat(chatId: string, seat: number): Promise<StoredMessage | null>;
  /**
   * Marks the chat as blocked by `seat` (sends are refused with `blocked`), or unblocked with
   * null. False when the chat is gone.
   */
  setChatBlocked(chatId: string, blockedBy: number | null): Promise<boolean>;
  /** Throws when the backing store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What the in-process stranger queue needs from the room store beside it. Its steps are
 * synchronous, so pairing two visitors and creating their room are one step, as atomic as the
 * Redis queue's script, which creates the room itself (in Lua, on the keys of `redis/keys.ts`)
 * and so needs nothing from a room store. No Redis store could offer these synchronously: only
 * the in-memory store implements them.
 */
export interface InProcessMatchRooms {
  /** A room for two matched strangers (kind `match`), both seats held under their claims (`claimFor`). */
  createMatchedRoom(roomId: string, ttlMs: number, claims: [string, string]): { expiresAt: number };
  /** Whether the room exists and its deadline has not passed. */
  isLive(roomId: string): boolean;
  /** Seats whose page is open, or closed less than the grace period ago: how many are here. */
  seatsHere(roomId: string): number;
  destroy: RoomStore["destroy"];
}
