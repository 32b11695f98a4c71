import { claimFor, type InProcessMatchRooms } from "../rooms/types";
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
  /** The partner of the last chat: not matched again until `forgetAt`. */
  last?: string;
  /** When the last partner may be met again, and an idle visitor's record (just `last`) is forgotten. */
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
  /** Live stranger rooms and their deadlines, whose people with the page open are "chatting". */
  private readonly chats = new Map<string, number>();
  private readonly stats = new Map<number, Record<string, number>>();
  private readonly listeners = new Map<string, Set<MatchListener>>();
  private readonly now: () => number;

  constructor(
    private readonly rooms: InProcessMatchRooms,
    private readonly options: MemoryMatchOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async find(visitorId: string, { roomId, roomTtlMs }: FindOptions): Promise<MatchState> {
    const now = this.now();
    this.dropLapsed(now);
    const me = this.visitor(visitorId);
    const current = this.stateNow(visitorId, now);
    if (current.status === "matched") return current;
    // Someone already waiting looks again: a partner may have become possible (a cooldown ended).
    const waiting = current.status === "waiting";
    if (waiting && !this.holders.has(visitorId))
      me.leaseUntil = Math.max(me.leaseUntil ?? 0, now + this.options.graceMs);
    for (const candidateId of this.queue) {
      const candidate = this.visitor(candidateId);
      if (candidateId === visitorId || !this.mayMeet(visitorId, candidateId, now)) continue;
      this.queue.delete(candidateId);
      this.queue.delete(visitorId);
      this.count(now, "w", bucketOf(WAIT_BUCKETS, (now - (candidate.since ?? now)) / 1000));
      this.count(now, "w", bucketOf(WAIT_BUCKETS, (now - (me.since ?? now)) / 1000));
      this.count(now, "m");
      const previousPartners = [candidate.last, me.last];
      const { expiresAt } = this.rooms.createMatchedRoom(roomId, roomTtlMs, [
        claimFor(candidateId),
        claimFor(visitorId),
      ]);
      this.chats.set(roomId, expiresAt);
      for (const [id, visitor, partner] of [
        [candidateId, candidate, visitorId],
        [visitorId, me, candidateId],
      ] as const) {
        Object.assign(visitor, {
          since: undefined,
          leaseUntil: undefined,
          roomId,
          partner,
          matchedAt: now,
          last: partner,
        });
        this.notify(id, { status: "matched", roomId });
      }
      for (const previous of previousPartners) this.retell(previous, now);
      return { status: "matched", roomId };
    }
    if (waiting) return this.stateNow(visitorId, now);
    // Past the cooldown nothing about the last partner is kept.
    if ((me.forgetAt ?? 0) <= now) me.last = undefined;
    me.since = now;
    me.leaseUntil = now + this.options.graceMs;
    this.queue.add(visitorId);
    const queued = this.stateNow(visitorId, now);
    this.notify(visitorId, queued);
    this.retell(me.last, now);
    return queued;
  }

  async cancel(visitorId: string): Promise<void> {
    if (!this.queue.delete(visitorId)) return;
    const me = this.visitor(visitorId);
    me.since = undefined;
    me.leaseUntil = undefined;
    this.notify(visitorId, { status: "idle" });
    this.retell(me.last, this.now());
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
    if (me?.since !== undefined && this.queue.has(visitorId)) {
      // The reason they are not paired, while it is one: the person they just talked to is waiting too.
      const cooling =
        me.last !== undefined &&
        this.queue.has(me.last) &&
        !this.blocked(visitorId, me.last, now) &&
        this.cooling(visitorId, me.last, now);
      return cooling
        ? { status: "waiting", since: me.since, lastPartnerUntil: me.forgetAt }
        : { status: "waiting", since: me.since };
    }
    return { status: "idle" };
  }

  /** Whether `a` may not meet `b` yet because b was a's partner in a chat that ended less than the cooldown ago. */
  private cooling(a: string, b: string, now: number): boolean {
    const visitor = this.visitors.get(a);
    return visitor?.last === b && (visitor.forgetAt ?? 0) > now;
  }

  private blocked(a: string, b: string, now: number): boolean {
    return (this.blocks.get(pairKey(a, b)) ?? 0) > now;
  }

  private mayMeet(a: string, b: string, now: number): boolean {
    return !this.cooling(a, b, now) && !this.cooling(b, a, now) && !this.blocked(a, b, now);
  }

  /** A waiting visitor's state may have changed with someone else's move (the reason they are not paired): tell them. */
  private retell(visitorId: string | undefined, now: number) {
    if (visitorId !== undefined && this.queue.has(visitorId)) this.notify(visitorId, this.stateNow(visitorId, now));
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
      Object.assign(partner, {
        roomId: undefined,
        partner: undefined,
        matchedAt: undefined,
        forgetAt: now + FORGET_AFTER_MS,
      });
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
    let chatting = 0;
    for (const roomId of this.chats.keys()) chatting += this.rooms.seatsHere(roomId);
    return { waiting: this.queue.size, chatting };
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
      this.retell(visitor.last, now);
    }
    for (const [visitorId, visitor] of this.visitors) {
      // A chat whose room expired or was destroyed without End chat is over too.
      if (visitor.roomId && this.stateNow(visitorId, now).status === "idle") visitor.forgetAt = now + FORGET_AFTER_MS;
      const idle = !this.queue.has(visitorId) && !visitor.roomId && !this.holders.has(visitorId);
      if (idle && (visitor.forgetAt ?? 0) <= now) this.visitors.delete(visitorId);
    }
    for (const [pair, until] of this.blocks) if (until <= now) this.blocks.delete(pair);
    for (const hour of this.stats.keys())
      if ((hour + 1) * 3_600_000 + STATS_RETENTION_MS <= now) this.stats.delete(hour);
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
