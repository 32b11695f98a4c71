import {
  allRoomKeys,
  destroyRoomScript,
  matchKeys,
  ROOM_KEY_COUNT,
  roomChannel,
  roomKeys,
  STRANGER_QUEUE,
} from "../redis/keys";
import type { RedisConnections } from "../redis/connections";
import { defineScripts, unavailable } from "../redis/script-runner";
import { Holders } from "./holders";
import { statsFromFields } from "./match-stats";
import {
  cancelScript,
  closedScript,
  countsScript,
  createRoomScript,
  endScript,
  findScript,
  hourStatsScript,
  leaseScript,
  readyScript,
  roomGoneScript,
  stateScript,
} from "./redis-match-scripts";
import type { EndedChat, FindOptions, MatchCounts, MatchListener, MatchState, MatchStore } from "./types";

const SCRIPTS = {
  ephMatchFind: { numberOfKeys: 4, lua: findScript },
  ephMatchReady: { numberOfKeys: 4, lua: readyScript },
  ephMatchRoomGone: { numberOfKeys: 4, lua: roomGoneScript },
  ephMatchCancel: { numberOfKeys: 4, lua: cancelScript },
  ephMatchState: { numberOfKeys: 4, lua: stateScript },
  ephMatchEnd: { numberOfKeys: 4, lua: endScript },
  ephMatchClosed: { numberOfKeys: 4, lua: closedScript },
  ephMatchCounts: { numberOfKeys: 3, lua: countsScript },
  ephMatchHourStats: { numberOfKeys: 1, lua: hourStatsScript },
  ephMatchLease: { numberOfKeys: 1, lua: leaseScript },
  // In the room's slot.
  ephMatchCreateRoom: { numberOfKeys: 3, lua: createRoomScript },
  ephMatchDestroyRoom: { numberOfKeys: ROOM_KEY_COUNT, lua: destroyRoomScript },
} as const;

type ScriptName = keyof typeof SCRIPTS;

/** While a waiting visitor's stream is open, their lease is renewed this often, for three times as long. */
const LEASE_REFRESH_MS = 2000;

/** A queue script's reply about a visitor: the room they ended that may still stand (or ''), then their state. */
type Reply = [closing: string, status: string, ...rest: string[]];

function toState([status, value, lastPartnerUntil]: string[]): MatchState {
  if (status === "matched" && value) return { status: "matched", roomId: value };
  if (status === "waiting" && value) {
    return lastPartnerUntil
      ? { status: "waiting", since: Number(value), lastPartnerUntil: Number(lastPartnerUntil) }
      : { status: "waiting", since: Number(value) };
  }
  return { status: "idle" };
}

/**
 * The stranger queue in Redis, so visitors on different instances are paired with each other.
 * The queue's scripts run in its one slot and never touch a room; a room is made and ended by
 * scripts in the room's own slot. So a match is three steps (pair, create the room, tell the
 * two), and ending one three (end it for both, destroy the room, forget it was pending), each
 * repeatable: a process that dies between them leaves a record that the next reply about either
 * visitor names, and whoever reads it finishes the job (decision 030). The same steps run on one
 * Redis and on a Cluster. It runs on the process's shared connections.
 */
export class RedisMatchStore implements MatchStore {
  private readonly run: ReturnType<typeof defineScripts<ScriptName>>;
  private readonly keys: ReturnType<typeof matchKeys>;
  private readonly holders = new Holders();
  private readonly listeners = new Map<string, Set<MatchListener>>();
  private readonly refreshTimer: NodeJS.Timeout;

  constructor(
    private readonly connections: RedisConnections,
    private readonly graceMs: number,
    /** Which queue: tests give each file its own (on one Redis, a database does). */
    queue = STRANGER_QUEUE,
  ) {
    this.keys = matchKeys(connections.cluster, queue);
    this.run = defineScripts(connections.commands, SCRIPTS);
    this.refreshTimer = setInterval(() => {
      const waiting = this.holders.visitorIds();
      if (waiting.length > 0) this.lease(LEASE_REFRESH_MS * 3, waiting).catch(() => {});
    }, LEASE_REFRESH_MS);
    this.refreshTimer.unref();
  }

  private visitorKeys(visitorId: string) {
    return [this.keys.queue, this.keys.lease, this.keys.here, this.keys.visitor(visitorId)];
  }

  /** A queue script about one visitor: its KEYS and the ARGV every one of them starts with. */
  private step(name: ScriptName, visitorId: string, ...args: Array<string | number>) {
    return this.run(
      name,
      ...this.visitorKeys(visitorId),
      this.keys.channelPrefix,
      this.keys.prefix,
      visitorId,
      ...args,
    );
  }

  private findStep(visitorId: string, { roomId, roomTtlMs }: FindOptions) {
    const lease = this.holders.has(visitorId) ? LEASE_REFRESH_MS * 3 : this.graceMs;
    return this.step("ephMatchFind", visitorId, roomId, roomTtlMs, lease);
  }

  async find(visitorId: string, options: FindOptions): Promise<MatchState> {
    const found = await this.settle(visitorId, await this.findStep(visitorId, options));
    // Still in a chat whose room turned out to be gone: that chat is over, and they look for the next.
    return found.over ? (await this.settle(visitorId, await this.findStep(visitorId, options))).state : found.state;
  }

  async cancel(visitorId: string): Promise<void> {
    await this.step("ephMatchCancel", visitorId);
  }

  async state(visitorId: string): Promise<MatchState> {
    return (await this.settle(visitorId, await this.step("ephMatchState", visitorId))).state;
  }

  /**
   * Finishes whatever a reply says is unfinished, then gives the visitor's state: a room they
   * ended is destroyed; a pairing's room is created (the same room whoever does it, as its id and
   * deadline were chosen when pairing) and the two told; a chat whose room is gone is over (`over`).
   */
  private async settle(visitorId: string, raw: unknown): Promise<{ state: MatchState; over?: true }> {
    const [closing, status, ...rest] = raw as Reply;
    // Best effort: until it is done, every reply about this visitor names the room again.
    if (closing) await this.closeRoom(visitorId, closing).catch(() => {});
    if (status !== "matched" && status !== "pending") return { state: toState([status, ...rest]) };
    const [roomId, exp, seatOne, seatTwo] = rest as [string, string?, string?, string?];
    const stands =
      status === "pending"
        ? await this.openRoom(roomId, Number(exp), [seatOne!, seatTwo!])
        : (await this.connections.commands.exists(roomKeys(roomId).meta).catch(unavailable)) === 1;
    if (!stands) {
      const after = (await this.step("ephMatchRoomGone", visitorId, roomId)) as Reply;
      return { state: toState(after.slice(1)), over: true };
    }
    if (status === "pending") await this.step("ephMatchReady", visitorId, roomId);
    return { state: { status: "matched", roomId } };
  }

  /**
   * Creates a pairing's room with both seats claimed, unless it exists (made before) or was ended
   * on purpose; true while it stands. Its own step, in the room's slot.
   */
  protected async openRoom(roomId: string, expiresAt: number, [seatOne, seatTwo]: [string, string]): Promise<boolean> {
    const keys = roomKeys(roomId);
    return (
      (await this.run("ephMatchCreateRoom", keys.meta, keys.members, keys.ended, expiresAt, seatOne, seatTwo)) === 1
    );
  }

  /** Destroys a stranger chat's room (the partner's stream hears `destroyed`): its own step, in the room's slot. */
  protected async destroyRoom(roomId: string): Promise<void> {
    await this.run("ephMatchDestroyRoom", ...allRoomKeys(roomId), roomChannel(roomId, this.connections.cluster));
  }

  private async closeRoom(visitorId: string, roomId: string): Promise<void> {
    await this.destroyRoom(roomId);
    await this.step("ephMatchClosed", visitorId, roomId);
  }

  async end(visitorId: string, roomId: string, { block }: { block: boolean }): Promise<EndedChat | null> {
    if ((await this.step("ephMatchEnd", visitorId, roomId, block ? "1" : "0")) !== 1) return null;
    await this.closeRoom(visitorId, roomId);
    return { roomId };
  }

  /**
   * Renews the leases of visitors whose streams this instance holds, and finishes what a process
   * that died between two steps left of their chats (their `state` does), so someone waiting hears
   * of the match a dead instance made for them within a refresh.
   */
  private async lease(ms: number, visitorIds: string[]): Promise<void> {
    const unfinished = (await this.run(
      "ephMatchLease",
      this.keys.lease,
      ms,
      this.keys.prefix,
      ...visitorIds,
    )) as string[];
    for (const visitorId of unfinished) await this.state(visitorId).catch(() => {});
  }

  async hold(visitorId: string): Promise<() => void> {
    await this.lease(LEASE_REFRESH_MS * 3, [visitorId]);
    // Counted only once Redis has it: a failed hold must not keep renewing a lease nobody holds.
    return this.holders.acquire(visitorId, () => {
      // A reload within the grace period finds them still queued, in their place.
      this.lease(this.graceMs, [visitorId]).catch(() => {});
    });
  }

  async counts(): Promise<MatchCounts> {
    const { queue, lease, here, channelPrefix, prefix } = this.keys;
    const [waiting, chatting] = (await this.run("ephMatchCounts", queue, lease, here, channelPrefix, prefix)) as [
      number,
      number,
    ];
    return { waiting, chatting };
  }

  async hourStats() {
    const flat = (await this.run(
      "ephMatchHourStats",
      this.keys.queue,
      this.keys.channelPrefix,
      this.keys.prefix,
    )) as string[];
    const fields: Record<string, string> = {};
    for (let index = 0; index < flat.length; index += 2) fields[flat[index]!] = flat[index + 1]!;
    return statsFromFields(fields);
  }

  async subscribe(visitorId: string, listener: MatchListener) {
    const channel = `${this.keys.channelPrefix}${visitorId}`;
    const listeners = this.listeners.get(visitorId) ?? new Set();
    this.listeners.set(visitorId, listeners);
    listeners.add(listener);
    const unsubscribe = () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.listeners.get(visitorId) === listeners) {
        this.listeners.delete(visitorId);
        this.connections.channels.remove(channel);
      }
    };
    try {
      await this.connections.channels.add(channel, (payload) => {
        const state = payload === null ? null : (JSON.parse(payload) as MatchState);
        for (const each of this.listeners.get(visitorId) ?? []) each(state);
      });
    } catch (error) {
      unsubscribe();
      unavailable(error);
    }
    return unsubscribe;
  }

  async close() {
    clearInterval(this.refreshTimer);
  }
}
