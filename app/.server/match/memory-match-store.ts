import { claimFor } from "../rooms/types";
import type { MemoryRoomStore } from "../rooms/memory-store";
import { Holders } from "./holders";
import {
  bucketOf,
  CHAT_BUCKETS,
  endOfUtcDay,
  FORGET_AFTER_MS,
  hourOf,
  statsFromFields,
  STATS_RETENTION_MS,
  WAIT_BUCKETS,
} from "./match-stats";
import type { EndedChat, FindOptions, MatchCounts, MatchListener, MatchState, MatchStore } from "./types";

interface Visitor {
  /** Set while waiting. */
  since?: number;
  /** Without an open stream, a waiting visitor stays queued until this moment only. */
  leaseUntil?: number;
  roomId?: string;
  partner?: string;
  matchedAt?: number;
  /** The partner of the last chat: not matched again right away. */
  last?: string;
  /** When an idle visitor's record (just `last`) is forgotten. */
  forgetAt?: number;
}

export interface MemoryMatchOptions {
  graceMs: number;
  now?: () => number;
}

/**
 * The zero-setup stranger queue, in this process, beside the in-memory room store. Each step
 * runs without an `await` between its reads and writes, so it is as atomic as the Redis script.
 */
export class MemoryMatchStore implements MatchStore {
  /** Waiting visitors, oldest first (a Set keeps insertion order). */
  private readonly queue = new Set<string>();
  private readonly visitors = new Map<string, Visitor>();
  private readonly holders = new Holders();
  /** Blocked pairs until the end of the day. */
  private readonly blocks = new Map<string, number>();
  /** Live stranger rooms and their deadlines, for the "chatting" count. */
  private readonly chats = new Map<string, number>();
  private readonly stats = new Map<number, Record<string, number>>();
  private readonly listeners = new Map<string, Set<MatchListener>>();
  private readonly now: () => number;

  constructor(
    private readonly rooms: MemoryRoomStore,
    private readonly options: MemoryMatchOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async find(visitorId: string, { roomId, roomTtlMs }: FindOptions): Promise<MatchState> {
    const now = this.now();
    this.dropLapsed(now);
    const me = this.visitor(visitorId);
    const current = this.stateNow(visitorId, now);
    if (current.status !== "idle") {
      if (current.status === "waiting" && !this.holders.has(visitorId)) me.leaseUntil = Math.max(me.leaseUntil ?? 0, now + this.options.graceMs);
      return current;
    }
    for (const candidateId of this.queue) {
      const candidate = this.visitor(candidateId);
      if (candidateId === visitorId || me.last === candidateId || candidate.last === visitorId) continue;
      if ((this.blocks.get(pairKey(visitorId, candidateId)) ?? 0) > now) continue;
      this.queue.delete(candidateId);
      this.count(now, "w", bucketOf(WAIT_BUCKETS, (now - (candidate.since ?? now)) / 1000));
      this.count(now, "w", bucketOf(WAIT_BUCKETS, 0));
      this.count(now, "m");
      const { expiresAt } = this.rooms.createMatchedRoom(roomId, roomTtlMs, [claimFor(candidateId), claimFor(visitorId)]);
      this.chats.set(roomId, expiresAt);
      for (const [id, visitor, partner] of [
        [candidateId, candidate, visitorId],
        [visitorId, me, candidateId],
      ] as const) {
        Object.assign(visitor, { since: undefined, leaseUntil: undefined, roomId, partner, matchedAt: now, last: partner });
        this.notify(id, { status: "matched", roomId });
      }
      return { status: "matched", roomId };
    }
    me.since = now;
    me.leaseUntil = now + this.options.graceMs;
    this.queue.add(visitorId);
    this.notify(visitorId, { status: "waiting", since: now });
    return { status: "waiting", since: now };
  }

  async cancel(visitorId: string): Promise<void> {
    if (!this.queue.delete(visitorId)) return;
    const me = this.visitor(visitorId);
    me.since = undefined;
    me.leaseUntil = undefined;
    this.notify(visitorId, { status: "idle" });
  }

  async state(visitorId: string): Promise<MatchState> {
    const now = this.now();
    this.dropLapsed(now);
    return this.stateNow(visitorId, now);
  }

  private stateNow(visitorId: string, now: number): MatchState {
    const me = this.visitors.get(visitorId);
    if (me?.roomId) {
      if ((this.chats.get(me.roomId) ?? 0) > now && this.rooms.isLive(me.roomId)) {
        return { status: "matched", roomId: me.roomId };
      }
      this.chats.delete(me.roomId);
      me.roomId = undefined;
      me.partner = undefined;
    }
    if (me?.since !== undefined && this.queue.has(visitorId)) return { status: "waiting", since: me.since };
    return { status: "idle" };
  }

  async end(visitorId: string, roomId: string, { block }: { block: boolean }): Promise<EndedChat | null> {
    const now = this.now();
    const me = this.visitors.get(visitorId);
    if (!me?.roomId || me.roomId !== roomId || !me.partner) return null;
    const partnerId = me.partner;
    const partner = this.visitor(partnerId);
    if (block) this.blocks.set(pairKey(visitorId, partnerId), endOfUtcDay(now));
    if (partner.roomId === roomId) {
      // The first of the two to end it records how long it lasted.
      this.count(now, "c", bucketOf(CHAT_BUCKETS, (now - (me.matchedAt ?? now)) / 1000));
      Object.assign(partner, { roomId: undefined, partner: undefined, matchedAt: undefined, forgetAt: now + FORGET_AFTER_MS });
      this.notify(partnerId, { status: "idle" });
    }
    // All that is left is who they just talked to, and only for a few minutes.
    Object.assign(me, { roomId: undefined, partner: undefined, matchedAt: undefined, forgetAt: now + FORGET_AFTER_MS });
    this.chats.delete(roomId);
    // In the same synchronous step, as Redis' script does: the partner's stream hears `destroyed`.
    void this.rooms.destroy(roomId);
    this.notify(visitorId, { status: "idle" });
    return { roomId };
  }

  async hold(visitorId: string): Promise<() => void> {
    return this.holders.acquire(visitorId, () => {
      const me = this.visitors.get(visitorId);
      if (me && this.queue.has(visitorId)) me.leaseUntil = this.now() + this.options.graceMs;
    });
  }

  async counts(): Promise<MatchCounts> {
    const now = this.now();
    this.dropLapsed(now);
    for (const [roomId, deadline] of this.chats) if (deadline <= now) this.chats.delete(roomId);
    return { waiting: this.queue.size, chatting: this.chats.size * 2 };
  }

  async hourStats() {
    const fields = this.stats.get(hourOf(this.now())) ?? {};
    return statsFromFields(Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, String(value)])));
  }

  async subscribe(visitorId: string, listener: MatchListener) {
    const listeners = this.listeners.get(visitorId) ?? new Set();
    listeners.add(listener);
    this.listeners.set(visitorId, listeners);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.listeners.delete(visitorId);
    };
  }

  async close() {
    this.listeners.clear();
  }

  private visitor(visitorId: string): Visitor {
    let visitor = this.visitors.get(visitorId);
    if (!visitor) {
      visitor = {};
      this.visitors.set(visitorId, visitor);
    }
    return visitor;
  }

  /** Waiting visitors with no open stream whose grace period has passed leave the queue. */
  private dropLapsed(now: number) {
    for (const visitorId of this.queue) {
      const visitor = this.visitor(visitorId);
      if (this.holders.has(visitorId) || (visitor.leaseUntil ?? 0) > now) continue;
      this.queue.delete(visitorId);
      visitor.since = undefined;
    }
    for (const [visitorId, visitor] of this.visitors) {
      // A chat whose room expired or was destroyed without End chat is over too.
      if (visitor.roomId && this.stateNow(visitorId, now).status === "idle") visitor.forgetAt = now + FORGET_AFTER_MS;
      const idle = !this.queue.has(visitorId) && !visitor.roomId && !this.holders.has(visitorId);
      if (idle && (visitor.forgetAt ?? 0) <= now) this.visitors.delete(visitorId);
    }
    for (const [pair, until] of this.blocks) if (until <= now) this.blocks.delete(pair);
    for (const hour of this.stats.keys()) if ((hour + 1) * 3_600_000 + STATS_RETENTION_MS <= now) this.stats.delete(hour);
  }

  private count(now: number, field: string, bucket?: number) {
    const hour = hourOf(now);
    const fields = this.stats.get(hour) ?? {};
    const key = bucket === undefined ? field : `${field}${bucket}`;
    fields[key] = (fields[key] ?? 0) + 1;
    this.stats.set(hour, fields);
  }

  private notify(visitorId: string, state: MatchState) {
    for (const listener of this.listeners.get(visitorId) ?? []) listener(state);
  }
}

/** The same key for (a, b) and (b, a). */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
