import { allRoomKeys, roomChannel, roomKeys, STRANGERS_HERE_KEY } from "../redis/keys";
import type { RedisConnections } from "../redis/connections";
import { defineScripts, unavailable } from "../redis/script-runner";
import { Holders } from "./holders";
import { statsFromFields } from "./match-stats";
import {
  cancelScript,
  countsScript,
  endScript,
  findScript,
  hourStatsScript,
  leaseScript,
  stateScript,
} from "./redis-match-scripts";
import type { EndedChat, FindOptions, MatchCounts, MatchListener, MatchState, MatchStore } from "./types";

const SCRIPTS = {
  ephMatchFind: { numberOfKeys: 6, lua: findScript },
  ephMatchCancel: { numberOfKeys: 4, lua: cancelScript },
  ephMatchState: { numberOfKeys: 4, lua: stateScript },
  ephMatchEnd: { numberOfKeys: 4, lua: endScript },
  ephMatchCounts: { numberOfKeys: 3, lua: countsScript },
  ephMatchHourStats: { numberOfKeys: 0, lua: hourStatsScript },
  ephMatchLease: { numberOfKeys: 1, lua: leaseScript },
} as const;

const QUEUE = "match:queue";
const LEASE = "match:lease";
/** People in stranger chats with the page open: kept by the presence script, counted and cleared here. */
const HERE = STRANGERS_HERE_KEY;
const CHANNEL_PREFIX = "ephemera:visitor:";
const visitorKey = (visitorId: string) => `match:v:${visitorId}`;

/** While a waiting visitor's stream is open, their lease is renewed this often, for three times as long. */
const LEASE_REFRESH_MS = 2000;

function toState(reply: unknown): MatchState {
  const [status, value, lastPartnerUntil] = reply as [string, string?, string?];
  if (status === "matched" && value) return { status: "matched", roomId: value };
  if (status === "waiting" && value) {
    return lastPartnerUntil
      ? { status: "waiting", since: Number(value), lastPartnerUntil: Number(lastPartnerUntil) }
      : { status: "waiting", since: Number(value) };
  }
  return { status: "idle" };
}

/**
 * The stranger queue in Redis, so visitors on different instances are paired with each other:
 * every step is one Lua script (pairing creates the room with both seats claimed in the same
 * script, on the room's keys from redis/keys.ts). It runs on the process's shared connections.
 */
export class RedisMatchStore implements MatchStore {
  private readonly run: ReturnType<typeof defineScripts<keyof typeof SCRIPTS>>;
  private readonly holders = new Holders();
  private readonly listeners = new Map<string, Set<MatchListener>>();
  private readonly refreshTimer: NodeJS.Timeout;

  constructor(
    private readonly connections: RedisConnections,
    private readonly graceMs: number,
  ) {
    this.run = defineScripts(connections.commands, SCRIPTS);
    this.refreshTimer = setInterval(() => {
      const waiting = this.holders.visitorIds();
      if (waiting.length > 0) this.run("ephMatchLease", LEASE, LEASE_REFRESH_MS * 3, ...waiting).catch(() => {});
    }, LEASE_REFRESH_MS);
    this.refreshTimer.unref();
  }

  private visitorKeys(visitorId: string) {
    return [QUEUE, LEASE, HERE, visitorKey(visitorId)];
  }

  async find(visitorId: string, { roomId, roomTtlMs }: FindOptions): Promise<MatchState> {
    const room = roomKeys(roomId);
    const lease = this.holders.has(visitorId) ? LEASE_REFRESH_MS * 3 : this.graceMs;
    return toState(
      await this.run(
        "ephMatchFind",
        ...this.visitorKeys(visitorId),
        room.meta,
        room.members,
        CHANNEL_PREFIX,
        visitorId,
        roomId,
        roomTtlMs,
        lease,
      ),
    );
  }

  async cancel(visitorId: string): Promise<void> {
    await this.run("ephMatchCancel", ...this.visitorKeys(visitorId), CHANNEL_PREFIX, visitorId);
  }

  async state(visitorId: string): Promise<MatchState> {
    return toState(await this.run("ephMatchState", ...this.visitorKeys(visitorId), CHANNEL_PREFIX, visitorId));
  }

  async end(visitorId: string, roomId: string, { block }: { block: boolean }): Promise<EndedChat | null> {
    const ended = await this.run(
      "ephMatchEnd",
      ...this.visitorKeys(visitorId),
      CHANNEL_PREFIX,
      visitorId,
      roomId,
      block ? "1" : "0",
      roomChannel(roomId),
      ...allRoomKeys(roomId),
    );
    return ended === 1 ? { roomId } : null;
  }

  async hold(visitorId: string): Promise<() => void> {
    await this.run("ephMatchLease", LEASE, LEASE_REFRESH_MS * 3, visitorId);
    // Counted only once Redis has it: a failed hold must not keep renewing a lease nobody holds.
    return this.holders.acquire(visitorId, () => {
      // A reload within the grace period finds them still queued, in their place.
      this.run("ephMatchLease", LEASE, this.graceMs, visitorId).catch(() => {});
    });
  }

  async counts(): Promise<MatchCounts> {
    const [waiting, chatting] = (await this.run("ephMatchCounts", QUEUE, LEASE, HERE, CHANNEL_PREFIX)) as [
      number,
      number,
    ];
    return { waiting, chatting };
  }

  async hourStats() {
    const flat = (await this.run("ephMatchHourStats")) as string[];
    const fields: Record<string, string> = {};
    for (let index = 0; index < flat.length; index += 2) fields[flat[index]!] = flat[index + 1]!;
    return statsFromFields(fields);
  }

  async subscribe(visitorId: string, listener: MatchListener) {
    const channel = `${CHANNEL_PREFIX}${visitorId}`;
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
