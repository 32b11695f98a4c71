import { randomBytes } from "node:crypto";
import { INSTANCES_KEY, roomChannel, roomKeys, strangerSeat } from "../redis/keys";

type PresenceOp = "open" | "close" | "settle" | "state";

/**
 * {graceUntil, seats taken, meta fields (state only), [seat, here, lastSeen][], Redis' clock, 1 in
 * a stranger chat, on a Cluster the strangers-here changes for the caller to apply}.
 */
export type PresenceReply = [
  number,
  number,
  string[],
  Array<[number, number, number]>,
  number,
  number,
  Array<[string, number]>,
];

type Run<Reply> = (...args: Array<string | number>) => Promise<Reply>;

/** The scripts presence runs: on a Redis Cluster, the heartbeat's halves separately (decision 025). */
export type PresenceScripts =
  | { cluster: false; presence: Run<PresenceReply | null>; heartbeat: Run<string[]> }
  | { cluster: true; presence: Run<PresenceReply | null>; beat: Run<string[]>; strangersHere: Run<unknown> };

/**
 * On a Cluster, how long an instance that stopped heartbeating stays listed as dead: longer than
 * any room lives (24 h), so no room can still hold streams it counted once it is forgotten.
 */
const FORGET_DEAD_MS = 25 * 60 * 60_000;

/**
 * Presence for the Redis store (decision 006): counts of open streams per room, seat and instance,
 * grace periods, and instance heartbeats so a crashed instance's streams count as closed. Every
 * step is one run of `presenceScript`; this class decides when to run it.
 */
export class RedisPresence {
  /** This process among the instances sharing the Redis. */
  readonly instanceId = randomBytes(9).toString("base64url");
  readonly heartbeatMs: number;
  /** Missing heartbeats for this long means an instance is gone, its streams with it. */
  readonly instanceTimeoutMs: number;
  /** Others that count per instance (stream slots), told of every heartbeat that succeeds. */
  private readonly beatListeners = new Set<(missedBeats: boolean) => void>();
  /** Open streams on this instance, by room and seat. */
  private readonly localStreams = new Map<string, Map<number, number>>();
  /** The stranger chats among them: their seats' "online" leases are renewed with each heartbeat. */
  private readonly strangerRooms = new Set<string>();
  private readonly firstHeartbeat: Promise<void>;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private lastHeartbeatAt = 0;
  private readonly dead = new Set<string>();
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  /** Steps in flight: closing waits for them, so a restarting instance's people leave with grace. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly scripts: PresenceScripts,
    /** Rooms with listeners on this instance: the ones whose presence it must keep settled. */
    private readonly localRooms: () => string[],
    private readonly graceMs: number,
    /** The strangers-here set of the stranger queue this instance serves (`matchKeys().here`). */
    private readonly strangersHereKey: string,
  ) {
    // A crashed instance's people count as gone within timeout + one beat (8 s by default).
    this.heartbeatMs = Math.min(2000, Math.max(50, Math.round(graceMs / 2)));
    this.instanceTimeoutMs = this.heartbeatMs * 3;
    this.firstHeartbeat = this.heartbeat();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  /** Counts one more open stream for the seat; resolves to the function that counts it closed. */
  async connect(roomId: string, seat: number): Promise<() => void> {
    await this.firstHeartbeat;
    const seats = this.localStreams.get(roomId) ?? new Map<number, number>();
    this.localStreams.set(roomId, seats);
    const change = (delta: number) => {
      const count = (seats.get(seat) ?? 0) + delta;
      if (count > 0) seats.set(seat, count);
      else seats.delete(seat);
      if (seats.size === 0 && this.localStreams.get(roomId) === seats) {
        this.localStreams.delete(roomId);
        this.strangerRooms.delete(roomId);
      }
      return count;
    };
    const opened = change(1);
    try {
      const reply = await this.step("open", roomId, seat, opened);
      if (reply?.[5] === 1 && this.localStreams.get(roomId) === seats) this.strangerRooms.add(roomId);
    } catch (error) {
      change(-1);
      throw error;
    }
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const remaining = change(-1);
      this.track(
        this.step("close", roomId, seat, remaining).then((reply) => {
          if (reply && reply[0] > 0) this.graceStarted(roomId);
        }),
      );
    };
  }

  /**
   * Calls `listener` after each heartbeat that reached Redis; `missedBeats` when others may have
   * written this instance off since the last one, so what it counts must be asserted again.
   */
  onHeartbeat(listener: (missedBeats: boolean) => void): void {
    this.beatListeners.add(listener);
  }

  /** The instances whose heartbeats have stopped, as of the last heartbeat. */
  deadInstances(): string[] {
    return [...this.dead];
  }

  /** The room's presence and meta fields, settling any grace period or dead instance on the way. */
  read(roomId: string): Promise<PresenceReply | null> {
    return this.step("state", roomId, 0, 0);
  }

  /** A seat's grace period began (here or on another instance): settle the room when it ends. */
  graceStarted(roomId: string): void {
    const timer = setTimeout(() => {
      this.settleTimers.delete(timer);
      this.settle(roomId);
    }, this.graceMs + 50);
    timer.unref();
    this.settleTimers.add(timer);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    for (const timer of this.settleTimers) clearTimeout(timer);
    await Promise.allSettled([...this.pending]);
  }

  /**
   * One heartbeat: keeps this instance counted as alive, and when another instance has stopped
   * beating, settles presence in every room this one serves so its people are shown as gone.
   * After a gap long enough for others to have written this instance off, it re-asserts its
   * own streams.
   */
  private async heartbeat(): Promise<void> {
    let dead: string[];
    try {
      dead = await this.beat();
    } catch {
      return; // Redis is unreachable; the next beat tries again
    }
    const now = Date.now();
    // Streams opened after a failed first beat were counted under an instance nobody had heard
    // of, so others may have dropped them: the first beat that succeeds re-asserts them too.
    const missedBeats = this.lastHeartbeatAt === 0 || now - this.lastHeartbeatAt > this.instanceTimeoutMs;
    this.lastHeartbeatAt = now;
    if (missedBeats) {
      for (const [roomId, seats] of this.localStreams) {
        for (const [seat, count] of seats) this.track(this.step("open", roomId, seat, count));
      }
    }
    for (const listener of this.beatListeners) listener(missedBeats);
    const newlyDead = dead.filter((id) => id !== this.instanceId && !this.dead.has(id));
    for (const id of newlyDead) this.dead.add(id);
    for (const id of this.dead) if (!dead.includes(id)) this.dead.delete(id);
    if (newlyDead.length > 0) for (const roomId of this.localRooms()) this.settle(roomId);
  }

  private async beat(): Promise<string[]> {
    const { scripts, instanceId, instanceTimeoutMs } = this;
    if (!scripts.cluster) {
      return scripts.heartbeat(
        INSTANCES_KEY,
        this.strangersHereKey,
        instanceId,
        instanceTimeoutMs,
        ...this.strangerSeats(),
      );
    }
    const seats = this.strangerSeats();
    const [dead] = await Promise.all([
      scripts.beat(INSTANCES_KEY, instanceId, instanceTimeoutMs, FORGET_DEAD_MS),
      seats.length > 0 && scripts.strangersHere(this.strangersHereKey, "renew", instanceTimeoutMs, ...seats),
    ]);
    return dead;
  }

  /** The stranger seats this instance holds open streams for: they count as online. */
  private strangerSeats(): string[] {
    const held: string[] = [];
    for (const roomId of this.strangerRooms) {
      for (const seat of this.localStreams.get(roomId)?.keys() ?? []) held.push(strangerSeat(roomId, seat));
    }
    return held;
  }

  private async step(op: PresenceOp, roomId: string, seat: number, count: number): Promise<PresenceReply | null> {
    const keys = roomKeys(roomId);
    const { scripts } = this;
    const args = [op, seat, this.instanceId, this.graceMs, roomChannel(roomId, scripts.cluster)];
    if (!scripts.cluster) {
      return scripts.presence(
        ...[keys.meta, keys.members, keys.live, INSTANCES_KEY, this.strangersHereKey],
        ...[...args, this.instanceTimeoutMs, count],
      );
    }
    const reply = await scripts.presence(
      ...[keys.meta, keys.members, keys.live],
      ...[...args, this.instanceTimeoutMs, count, ...this.dead],
    );
    const changes = reply?.[6] ?? [];
    if (changes.length > 0) {
      // The strangers-here set lives in its own slot: a second step, after the room's. Lost, it
      // is put right by the next step in the room, and its leases run out by themselves.
      this.track(scripts.strangersHere(this.strangersHereKey, "apply", ...changes.flat()));
    }
    return reply;
  }

  private settle(roomId: string): void {
    this.track(this.step("settle", roomId, 0, 0));
  }

  private track(step: Promise<unknown>): void {
    const settled = step.catch(() => {
      // Best effort: a lost step is repaired by the next settle or heartbeat.
    });
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }
}
