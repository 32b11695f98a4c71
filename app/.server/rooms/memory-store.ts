import { LocalFanout } from "./local-fanout";
import {
  MESSAGE_CAP,
  ROOM_CAPACITY,
  type JoinOutcome,
  type MemberAppendOutcome,
  type MemberStatus,
  type NewMessage,
  type RoomEventListener,
  type RoomStore,
  type StoredMessage,
} from "./types";

interface MemoryRoom {
  expiresAt: number;
  lastEventId: number;
  joins: number;
  members: Map<string, number>;
  messages: StoredMessage[];
  expiryTimer: NodeJS.Timeout;
}

/**
 * The zero-setup store: same semantics as Redis (deadline, member cap, message cap, events), held
 * in this process. Single instance only: a second process would see none of these rooms.
 */
export class MemoryRoomStore implements RoomStore {
  readonly kind = "memory";
  private readonly rooms = new Map<string, MemoryRoom>();
  private readonly fanout = new LocalFanout();

  constructor(private readonly now: () => number = Date.now) {}

  async createRoom(roomId: string, ttlMs: number) {
    if (this.rooms.has(roomId)) throw new Error("room id collision");
    const expiresAt = this.now() + ttlMs;
    // The timer frees memory at the deadline; reads also check the deadline so an entry can
    // never be served late even if the timer runs behind.
    const expiryTimer = setTimeout(() => this.rooms.delete(roomId), ttlMs);
    expiryTimer.unref();
    this.rooms.set(roomId, {
      expiresAt,
      lastEventId: 0,
      joins: 0,
      members: new Map(),
      messages: [],
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

  private forget(roomId: string, room: MemoryRoom) {
    clearTimeout(room.expiryTimer);
    this.rooms.delete(roomId);
  }

  async ttl(roomId: string) {
    const room = this.live(roomId);
    return room ? room.expiresAt - this.now() : null;
  }

  async join(roomId: string, memberId: string): Promise<JoinOutcome> {
    const room = this.live(roomId);
    if (!room) return { status: "not-found" };
    const ttlMs = room.expiresAt - this.now();
    const seat = room.members.get(memberId);
    if (seat !== undefined) return { status: "member", seat, ttlMs };
    if (room.members.size >= ROOM_CAPACITY) return { status: "full", ttlMs };
    room.joins += 1;
    room.members.set(memberId, room.joins);
    this.fanout.deliver(roomId, { type: "members", count: room.members.size });
    return { status: "joined", seat: room.joins, ttlMs };
  }

  async memberCount(roomId: string) {
    return this.live(roomId)?.members.size ?? null;
  }

  async memberStatus(roomId: string, memberId: string): Promise<MemberStatus> {
    const room = this.live(roomId);
    if (!room) return { status: "not-found" };
    const ttlMs = room.expiresAt - this.now();
    const seat = room.members.get(memberId);
    return seat === undefined ? { status: "not-member", ttlMs } : { status: "member", seat, ttlMs };
  }

  async appendMessage(roomId: string, draft: NewMessage) {
    const room = this.live(roomId);
    if (!room) return null;
    room.lastEventId += 1;
    const { clientId, ...fields } = draft;
    const message: StoredMessage = { id: room.lastEventId, ...fields, timestamp: this.now() };
    if (clientId) message.clientId = clientId;
    room.messages.push(message);
    if (room.messages.length > MESSAGE_CAP) room.messages.splice(0, room.messages.length - MESSAGE_CAP);
    this.fanout.deliver(roomId, { type: "message", message });
    return message;
  }

  async appendMemberMessage(roomId: string, memberId: string, draft: Omit<NewMessage, "author">): Promise<MemberAppendOutcome> {
    const status = await this.memberStatus(roomId, memberId);
    if (status.status !== "member") return { status: status.status };
    const message = await this.appendMessage(roomId, { ...draft, author: status.seat });
    return message ? { status: "stored", message } : { status: "not-found" };
  }

  async messagesAfter(roomId: string, afterId: number) {
    const room = this.live(roomId);
    if (!room) return null;
    return room.messages.filter((message) => message.id > afterId);
  }

  async destroy(roomId: string) {
    const room = this.live(roomId);
    if (!room) return false;
    this.forget(roomId, room);
    this.fanout.deliver(roomId, { type: "destroyed", id: room.lastEventId + 1 });
    return true;
  }

  async subscribe(roomId: string, listener: RoomEventListener) {
    this.fanout.add(roomId, listener);
    return () => {
      this.fanout.remove(roomId, listener);
    };
  }

  async ping() {}

  async close() {
    for (const [roomId, room] of this.rooms) this.forget(roomId, room);
  }
}
