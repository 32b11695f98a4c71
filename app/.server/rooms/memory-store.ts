import type { RoomKind } from "~/shared/room-kinds";
import { LocalFanout } from "../local-fanout";
import { checkDirectChat, checkTimer } from "./direct-chat-checks";
import {
  DEFAULT_PRESENCE_GRACE_MS,
  MESSAGE_CAP,
  ROOM_CAPACITY,
  ROOM_IMAGE_BYTES_MAX,
  TYPING_TTL_MS,
  type ImageGetOutcome,
  type ImagePutOutcome,
  type InProcessMatchRooms,
  type JoinOutcome,
  type MemberAppendOutcome,
  type MemberStatus,
  type MessagesAfterOptions,
  type NewMessage,
  type RoomEventListener,
  type RoomState,
  type RoomStore,
  type StoredMessage,
  type ChatNotice,
  type DirectChatInfo,
  type TypingStart,
} from "./types";

/** A seat's open streams here, and whether it is announced as here: what presence is made of. */
interface SeatStreams {
  streams: number;
  /** Announced as here. */
  on: boolean;
  lastSeen: number | null;
  graceTimer?: NodeJS.Timeout;
}

interface MemoryRoom {
  kind: RoomKind;
  /** Seats held for matched strangers, by claim, so a claim can be made again. */
  claims: Map<string, number>;
  /** What the creator's browser derived from the room key, for members' browsers to compare. */
  keyCheck: string | null;
  /** Someone has given up a seat with "Leave room": every later arrival starts where it arrives. */
  freed: boolean;
  /** Per seat taken after a departure: the last message id when it arrived. */
  arrivals: Map<number, number>;
  /**
   * A direct chat's settings (only theirs): each message expires `timerMs` after it is sent, and
   * `expiresAt` moves on to the latest expiry.
   */
  chat?: { timerMs: number; blockedBy: number | null };
  expiresAt: number;
  lastEventId: number;
  joins: number;
  members: Map<string, number>;
  messages: StoredMessage[];
  /** `<author>:<clientId>` → the message, while it is kept. */
  clientIds: Map<string, StoredMessage>;
  presence: Map<number, SeatStreams>;
  receipts: Map<number, { delivered: number; seen: number }>;
  typing: Map<number, { name: string; until: number }>;
  /** Public keys per seat, for a stranger chat's key agreement. */
  keys: Map<number, string>;
  /** Sealed names per seat: the one each goes by. */
  names: Map<number, string>;
  /** Sealed images by id, and their total size against the room's budget. */
  images: Map<string, Uint8Array>;
  imageBytes: number;
  expiryTimer: NodeJS.Timeout;
}

export interface MemoryStoreOptions {
  now?: () => number;
  /** How long a seat whose last stream closed still counts as here. */
  presenceGraceMs?: number;
  /**
   * Sealed image bytes held in all, every room together (`store-full` beyond): they are this
   * process's memory. Unlimited unless given.
   */
  imageBytesMax?: number;
}

/**
 * The zero-setup store: same semantics as Redis (deadline, member cap, message cap, events), held
 * in this process. Single instance only: a second process would see none of these rooms.
 */
export class MemoryRoomStore implements RoomStore, InProcessMatchRooms {
  readonly kind = "memory";
  private readonly rooms = new Map<string, MemoryRoom>();
  private readonly fanout = new LocalFanout();

  private readonly now: () => number;
  private readonly presenceGraceMs: number;
  private readonly imageBytesMax: number;
  /** Sealed image bytes held by every live room together. */
  private imageBytes = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.presenceGraceMs = options.presenceGraceMs ?? DEFAULT_PRESENCE_GRACE_MS;
    this.imageBytesMax = options.imageBytesMax ?? Infinity;
  }

  /**
   * A room for two matched strangers, both seats held under their claims; the match store calls
   * this in the same synchronous step as the pairing, so it is as atomic as Redis' script.
   */
  createMatchedRoom(roomId: string, ttlMs: number, claims: [string, string]): { expiresAt: number } {
    const created = this.newRoom(roomId, ttlMs, "match");
    const room = this.rooms.get(roomId)!;
    for (const claim of claims) {
      room.joins += 1;
      room.members.set(claim, room.joins);
      room.claims.set(claim, room.joins);
    }
    return created;
  }

  async createRoom(roomId: string, ttlMs: number, keyCheck?: string) {
    return this.newRoom(roomId, ttlMs, "private", keyCheck);
  }

  private newRoom(roomId: string, ttlMs: number, kind: RoomKind, keyCheck?: string) {
    if (this.rooms.has(roomId)) throw new Error("room id collision");
    const expiresAt = this.now() + ttlMs;
    // The timer frees memory at the deadline; reads also check the deadline so an entry can
    // never be served late even if the timer runs behind.
    const expiryTimer = setTimeout(() => this.expire(roomId), ttlMs);
    expiryTimer.unref();
    this.rooms.set(roomId, {
      kind,
      claims: new Map(),
      keyCheck: keyCheck ?? null,
      freed: false,
      arrivals: new Map(),
      expiresAt,
      lastEventId: 0,
      joins: 0,
      members: new Map(),
      messages: [],
      clientIds: new Map(),
      presence: new Map(),
      receipts: new Map(),
      typing: new Map(),
      keys: new Map(),
      names: new Map(),
      images: new Map(),
      imageBytes: 0,
      expiryTimer,
    });
    return { expiresAt };
  }

  private live(roomId: string): MemoryRoom | undefined {
    const room = this.rooms.get(roomId);
    if (!room) return undefined;
    if (room.expiresAt <= this.now()) {
      this.forget(roomId, room);
      return undefined;
    }
    return room;
  }

  /** At the deadline the timer was set for: a direct chat whose deadline has moved on waits for the new one. */
  private expire(roomId: string) {
    const room = this.rooms.get(roomId);
    if (!room) return;
    const leftMs = room.expiresAt - this.now();
    if (room.chat && leftMs > 0) {
      room.expiryTimer = setTimeout(() => this.expire(roomId), leftMs);
      room.expiryTimer.unref();
    } else {
      this.forget(roomId, room);
    }
  }

  private forget(roomId: string, room = this.rooms.get(roomId)) {
    if (!room) return;
    this.imageBytes -= room.imageBytes;
    clearTimeout(room.expiryTimer);
    for (const seat of room.presence.values()) clearTimeout(seat.graceTimer);
    this.rooms.delete(roomId);
  }

  /** For the match store's synchronous steps. */
  isLive(roomId: string): boolean {
    return this.live(roomId) !== undefined;
  }

  /** Seats whose page is open, or closed less than the grace period ago: how many are here. */
  seatsHere(roomId: string): number {
    let here = 0;
    for (const seat of this.live(roomId)?.presence.values() ?? []) if (seat.on) here += 1;
    return here;
  }

  async join(roomId: string, memberId: string, claim?: string): Promise<JoinOutcome> {
    const room = this.live(roomId);
    // A direct chat's two seats are given when it opens, to its two accounts only.
    if (!room || room.chat) return { status: "not-found" };
    const ttlMs = room.expiresAt - this.now();
    const { kind, keyCheck } = room;
    const seat = room.members.get(memberId);
    if (seat !== undefined) return { status: "member", seat, ttlMs, kind, keyCheck };
    const held = claim === undefined ? undefined : room.claims.get(claim);
    if (held !== undefined) {
      // Whoever holds the seat now (the placeholder, or a token whose cookie never reached the
      // browser) gives it up: the seat belongs to the claimant.
      for (const [member, seat] of room.members) if (seat === held) room.members.delete(member);
      room.members.set(memberId, held);
      return { status: "joined", seat: held, ttlMs, kind, keyCheck };
    }
    if (room.members.size >= ROOM_CAPACITY) return { status: "full", ttlMs };
    room.joins += 1;
    room.members.set(memberId, room.joins);
    if (room.freed && room.lastEventId > 0) {
      room.arrivals.set(room.joins, room.lastEventId);
      this.fanout.deliver(roomId, { type: "arrived", seat: room.joins, after: room.lastEventId });
    }
    this.fanout.deliver(roomId, { type: "members", count: room.members.size });
    return { status: "joined", seat: room.joins, ttlMs, kind, keyCheck };
  }

  async memberStatus(roomId: string, memberId: string): Promise<MemberStatus> {
    const room = this.live(roomId);
    if (!room) return { status: "not-found" };
    const ttlMs = room.expiresAt - this.now();
    const seat = room.members.get(memberId);
    return seat === undefined ? { status: "not-member", ttlMs } : { status: "member", seat, ttlMs };
  }

  /**
   * Stores and publishes a message (or, in a direct chat, a notice). In a direct chat it expires
   * by the chat's timer and the chat lasts at least as long; expired messages at the head of the
   * log are dropped first, their clientIds with them (one further in waits for its turn, unread).
   */
  private store(roomId: string, room: MemoryRoom, draft: NewMessage, notice?: ChatNotice) {
    const { clientId, ...fields } = draft;
    const clientKey = clientId ? `${draft.author}:${clientId}` : undefined;
    const prior = clientKey ? room.clientIds.get(clientKey) : undefined;
    if (prior) return { status: "duplicate" as const, message: prior };
    const now = this.now();
    room.lastEventId += 1;
    const message: StoredMessage = { id: room.lastEventId, ...fields, timestamp: now };
    if (clientId) message.clientId = clientId;
    if (room.chat) {
      message.expiresAt = now + room.chat.timerMs;
      if (notice) message.notice = notice;
      let expired = 0;
      while (expired < room.messages.length && room.messages[expired]!.expiresAt! <= now) expired += 1;
      this.drop(room, expired);
      room.expiresAt = Math.max(room.expiresAt, message.expiresAt);
    }
    room.messages.push(message);
    if (clientKey) room.clientIds.set(clientKey, message);
    if (room.messages.length > MESSAGE_CAP) this.drop(room, room.messages.length - MESSAGE_CAP);
    if (!notice) room.typing.delete(draft.author);
    this.fanout.deliver(roomId, { type: "message", message });
    return { status: "stored" as const, message };
  }

  /** Drops the oldest `count` messages, and their clientIds: a send is remembered as long as its message. */
  private drop(room: MemoryRoom, count: number) {
    for (const old of room.messages.splice(0, count)) {
      if (old.clientId) room.clientIds.delete(`${old.author}:${old.clientId}`);
    }
  }

  async appendMemberMessage(
    roomId: string,
    memberId: string,
    draft: Omit<NewMessage, "author">,
  ): Promise<MemberAppendOutcome> {
    const room = this.live(roomId);
    if (!room) return { status: "not-found" };
    const seat = room.members.get(memberId);
    if (seat === undefined) return { status: "not-member" };
    if (room.chat && room.chat.blockedBy !== null) return { status: "blocked" };
    return this.store(roomId, room, { ...draft, author: seat });
  }

  async connect(roomId: string, seat: number) {
    const room = this.live(roomId);
    if (!room) return () => {};
    const presence = room.presence.get(seat) ?? { streams: 0, on: false, lastSeen: null };
    room.presence.set(seat, presence);
    presence.streams += 1;
    clearTimeout(presence.graceTimer);
    presence.graceTimer = undefined;
    if (!presence.on) {
      presence.on = true;
      this.fanout.deliver(roomId, { type: "presence", seat, here: true, lastSeen: presence.lastSeen });
    }
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      presence.streams -= 1;
      if (presence.streams > 0 || !presence.on || room.presence.get(seat) !== presence) return;
      if (this.rooms.get(roomId) !== room) return; // the room is gone: nobody to tell
      presence.lastSeen = this.now();
      this.fanout.deliver(roomId, { type: "presence-grace", seat, until: presence.lastSeen + this.presenceGraceMs });
      // A reload opens a new stream well within the grace period, so it never shows as leaving.
      presence.graceTimer = setTimeout(() => {
        presence.graceTimer = undefined;
        if (presence.streams > 0 || this.rooms.get(roomId) !== room) return;
        presence.on = false;
        this.fanout.deliver(roomId, { type: "presence", seat, here: false, lastSeen: presence.lastSeen });
      }, this.presenceGraceMs);
      presence.graceTimer.unref();
    };
  }

  async roomState(roomId: string): Promise<RoomState | null> {
    const room = this.live(roomId);
    if (!room) return null;
    const now = this.now();
    return {
      memberCount: room.members.size,
      presence: [...room.presence].map(([seat, presence]) => ({
        seat,
        here: presence.on,
        lastSeen: presence.lastSeen,
      })),
      receipts: [...room.receipts].map(([seat, receipts]) => ({ seat, ...receipts })),
      typing: [...room.typing]
        .filter(([, typing]) => typing.until > now)
        .map(([seat, typing]) => ({ seat, name: typing.name, expiresInMs: typing.until - now })),
      keys: [...room.keys].map(([seat, publicKeys]) => ({ seat, publicKeys })),
      names: [...room.names].map(([seat, name]) => ({ seat, name })),
      arrivals: [...room.arrivals].map(([seat, after]) => ({ seat, after })),
      // Memory loses nothing it acknowledged: never a `lost` span.
      lastId: room.lastEventId,
    };
  }

  async setTyping(roomId: string, seat: number, typing: TypingStart | null) {
    const room = this.live(roomId);
    if (!room) return false;
    if (typing?.draft && room.clientIds.has(`${seat}:${typing.draft}`)) return true;
    if (typing) {
      room.typing.set(seat, { name: typing.name, until: this.now() + TYPING_TTL_MS });
      this.fanout.deliver(roomId, {
        type: "typing",
        seat,
        typing: true,
        name: typing.name,
        expiresInMs: TYPING_TTL_MS,
      });
    } else if (room.typing.delete(seat)) {
      this.fanout.deliver(roomId, { type: "typing", seat, typing: false, name: "", expiresInMs: 0 });
    }
    return true;
  }

  async publishKeys(roomId: string, seat: number, publicKeys: string) {
    const room = this.live(roomId);
    if (!room) return false;
    room.keys.set(seat, publicKeys);
    this.fanout.deliver(roomId, { type: "keys", seat, publicKeys });
    return true;
  }

  async setName(roomId: string, seat: number, sealedName: string) {
    const room = this.live(roomId);
    if (!room) return false;
    room.names.set(seat, sealedName);
    this.fanout.deliver(roomId, { type: "name", seat, name: sealedName });
    return true;
  }

  async putImage(roomId: string, memberId: string, imageId: string, bytes: Uint8Array): Promise<ImagePutOutcome> {
    const room = this.live(roomId);
    if (!room) return "not-found";
    if (!room.members.has(memberId)) return "not-member";
    if (room.images.has(imageId)) return "exists";
    if (room.imageBytes + bytes.byteLength > ROOM_IMAGE_BYTES_MAX) return "room-full";
    if (this.imageBytes + bytes.byteLength > this.imageBytesMax) return "store-full";
    // A copy: the caller's buffer may be reused.
    room.images.set(imageId, bytes.slice());
    room.imageBytes += bytes.byteLength;
    this.imageBytes += bytes.byteLength;
    return "stored";
  }

  async getImage(roomId: string, memberId: string, imageId: string): Promise<ImageGetOutcome> {
    const room = this.live(roomId);
    if (!room) return { status: "not-found" };
    if (!room.members.has(memberId)) return { status: "not-member" };
    const bytes = room.images.get(imageId);
    return bytes ? { status: "found", bytes } : { status: "no-image" };
  }

  async markReceipts(roomId: string, seat: number, delivered: number, seen: number) {
    const room = this.live(roomId);
    if (!room) return false;
    const before = room.receipts.get(seat) ?? { delivered: 0, seen: 0 };
    const newSeen = Math.max(before.seen, Math.min(seen, room.lastEventId));
    const newDelivered = Math.max(before.delivered, Math.min(delivered, room.lastEventId), newSeen);
    if (newSeen !== before.seen || newDelivered !== before.delivered) {
      room.receipts.set(seat, { delivered: newDelivered, seen: newSeen });
      this.fanout.deliver(roomId, { type: "receipts", seat, delivered: newDelivered, seen: newSeen });
    }
    return true;
  }

  async leave(roomId: string, memberId: string, options: { unread?: boolean } = {}) {
    const room = this.live(roomId);
    const seat = room?.members.get(memberId);
    if (!room || seat === undefined) return "not-member";
    if (room.kind === "match" || room.chat) return "match";
    if (!options.unread) room.freed = true;
    room.members.delete(memberId);
    room.arrivals.delete(seat);
    room.typing.delete(seat);
    room.keys.delete(seat);
    room.names.delete(seat);
    clearTimeout(room.presence.get(seat)?.graceTimer);
    room.presence.delete(seat);
    this.fanout.deliver(roomId, { type: "left", seat });
    this.fanout.deliver(roomId, { type: "members", count: room.members.size });
    return "left";
  }

  async messagesAfter(roomId: string, afterId: number, { seat, limit }: MessagesAfterOptions = {}) {
    const room = this.live(roomId);
    if (!room) return null;
    const after = Math.max(afterId, (seat !== undefined && room.arrivals.get(seat)) || 0);
    const now = this.now();
    // In a direct chat a message past its expiry may still be held, behind a later one: never read.
    const unread = room.chat
      ? room.messages.filter((message) => message.id > after && message.expiresAt! > now)
      : room.messages.filter((message) => message.id > after);
    return limit === undefined ? unread : unread.slice(0, limit);
  }

  async destroy(roomId: string) {
    const room = this.live(roomId);
    if (!room) return false;
    this.forget(roomId, room);
    this.fanout.deliver(roomId, { type: "destroyed", id: room.lastEventId + 1 });
    return true;
  }

  // Nothing else removes a room from this process's memory before its deadline.
  async wasEnded() {
    return true;
  }

  async subscribe(roomId: string, listener: RoomEventListener) {
    this.fanout.add(roomId, listener);
    return () => {
      this.fanout.remove(roomId, listener);
    };
  }

  async openDirectChat(chatId: string, members: [string, string], timerMs: number): Promise<DirectChatInfo> {
    checkDirectChat(members, timerMs);
    const existing = this.live(chatId);
    if (existing) {
      if (!existing.chat) throw new Error("room id collision");
      return { ...this.chatInfo(existing)!, created: false };
    }
    this.newRoom(chatId, timerMs, "direct");
    const room = this.rooms.get(chatId)!;
    room.chat = { timerMs, blockedBy: null };
    members.forEach((member, index) => room.members.set(member, index + 1));
    room.joins = 2;
    return { ...this.chatInfo(room)!, created: true };
  }

  async directChatInfo(chatId: string): Promise<DirectChatInfo | null> {
    return this.chatInfo(this.live(chatId));
  }

  private chatInfo(room: MemoryRoom | undefined): DirectChatInfo | null {
    if (!room?.chat) return null;
    const { timerMs, blockedBy } = room.chat;
    return { created: false, timerMs, blockedBy, expiresAt: room.expiresAt };
  }

  async setChatTimer(chatId: string, seat: number, timerMs: number): Promise<StoredMessage | null> {
    checkTimer(timerMs);
    const room = this.live(chatId);
    if (!room?.chat) return null;
    room.chat.timerMs = timerMs;
    return this.store(chatId, room, { author: seat, ciphertext: "" }, { kind: "timer", timerMs }).message;
  }

  async clearChat(chatId: string, seat: number): Promise<StoredMessage | null> {
    const room = this.live(chatId);
    if (!room?.chat) return null;
    room.messages = [];
    room.clientIds.clear();
    room.images.clear();
    this.imageBytes -= room.imageBytes;
    room.imageBytes = 0;
    this.fanout.deliver(chatId, { type: "cleared", upTo: room.lastEventId });
    return this.store(chatId, room, { author: seat, ciphertext: "" }, { kind: "cleared" }).message;
  }

  async setChatBlocked(chatId: string, blockedBy: number | null): Promise<boolean> {
    const room = this.live(chatId);
    if (!room?.chat) return false;
    room.chat.blockedBy = blockedBy;
    return true;
  }

  async ping() {}

  async close() {
    for (const [roomId, room] of this.rooms) this.forget(roomId, room);
  }
}
