import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { MatchStore } from "./match/types";
import type { RoomStore } from "./rooms/types";
import { StoreFullError } from "./store-errors";

/**
 * The process's metrics, exposed at /metrics when METRICS_TOKEN is set. Labels never carry room
 * ids or anything a person typed.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "ephemera_" });

export const metrics = {
  openEventStreams: new Gauge({
    name: "ephemera_open_event_streams",
    help: "room.events streams open on this instance",
    registers: [registry],
  }),
  roomsCreated: new Counter({ name: "ephemera_rooms_created_total", help: "Rooms created", registers: [registry] }),
  roomsDestroyed: new Counter({
    name: "ephemera_rooms_destroyed_total",
    help: "Rooms destroyed with Destroy now",
    registers: [registry],
  }),
  roomsExpired: new Counter({
    name: "ephemera_rooms_expired_total",
    help: "Rooms that reached their deadline, counted by the instance streaming to their first seat",
    registers: [registry],
  }),
  messagesSent: new Counter({ name: "ephemera_messages_sent_total", help: "Messages stored", registers: [registry] }),
  sendToDeliver: new Histogram({
    name: "ephemera_send_to_deliver_seconds",
    help: "From a message being stored to its event leaving this instance on a live stream",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }),
  /** Includes argon2id, which runs on libuv's thread pool: the event loop is free meanwhile. */
  signInSeconds: new Histogram({
    name: "ephemera_sign_in_seconds",
    help: "How long account.signIn took on the server, by outcome",
    labelNames: ["outcome"] as const,
    // Fine around argon2id's 13-20 ms, so a median can be read off the buckets.
    buckets: [0.005, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }),
  accountsCreated: new Counter({
    name: "ephemera_accounts_created_total",
    help: "Accounts created",
    registers: [registry],
  }),
  accountsDeleted: new Counter({
    name: "ephemera_accounts_deleted_total",
    help: "Accounts deleted",
    registers: [registry],
  }),
  redisErrors: new Counter({
    name: "ephemera_redis_errors_total",
    help: "Errors reported by Redis connections",
    labelNames: ["connection"] as const,
    registers: [registry],
  }),
  redisReconnects: new Counter({
    name: "ephemera_redis_reconnects_total",
    help: "Reconnection attempts by Redis connections",
    labelNames: ["connection"] as const,
    registers: [registry],
  }),
};

const recentlyExpired = new Set<string>();

/** Counts a room's expiry once per instance, however many of its streams see it. */
export function countExpiry(roomId: string): void {
  if (recentlyExpired.has(roomId)) return;
  recentlyExpired.add(roomId);
  metrics.roomsExpired.inc();
  setTimeout(() => recentlyExpired.delete(roomId), 60_000).unref();
}

/** Where the store's gauge reads from: the process's room store, once services exist. */
let storeSource: RoomStore | undefined;

export function reportStoreFrom(store: RoomStore): void {
  storeSource = store;
}

/**
 * Read at scrape time with the readiness check's own write: a Redis at maxmemory (noeviction)
 * answers everything but refuses writes, so rooms can be neither created nor continued. NaN
 * (no value) while the store cannot be reached at all.
 */
new Gauge({
  name: "ephemera_redis_out_of_memory",
  help: "1 while Redis refuses writes for lack of memory (maxmemory with noeviction), else 0",
  registers: [registry],
  // The same shared Redis for every worker: an instance reports it once.
  aggregator: "first",
  async collect() {
    if (!storeSource) return;
    try {
      await storeSource.ping();
      this.set(0);
    } catch (error) {
      this.set(error instanceof StoreFullError ? 1 : Number.NaN);
    }
  },
});

/** Where the stranger-queue gauges read from: the process's queue, once services exist. */
let matchSource: MatchStore | undefined;

export function reportMatchesFrom(matches: MatchStore): void {
  matchSource = matches;
}

interface MatchFigures {
  waiting: number;
  online: number;
  matches: number;
  medianWaitSeconds: number | null;
  medianChatSeconds: number | null;
}

/**
 * One read of the queue per scrape, shared by its five gauges: a scrape starts every collector in
 * the same tick, so they all find this read still pending; the next scrape reads afresh.
 */
let pendingRead: Promise<MatchFigures | null> | undefined;

function readFigures(): Promise<MatchFigures | null> {
  const matches = matchSource;
  if (!matches) return Promise.resolve(null);
  pendingRead ??= Promise.all([matches.counts(), matches.hourStats()])
    .then(
      ([counts, stats]) => ({ waiting: counts.waiting, online: counts.waiting + counts.chatting, ...stats }),
      () => null,
    )
    .finally(() => {
      pendingRead = undefined;
    });
  return pendingRead;
}

/**
 * A gauge read from the shared queue at scrape time, so every instance reports the same figures
 * (they are about everyone, not this instance). Without a value (no data this hour, or the store
 * unreachable) it reports NaN, Prometheus' "no value", rather than a misleading 0.
 */
function matchGauge(name: string, help: string, pick: (figures: MatchFigures) => number | null) {
  return new Gauge({
    name,
    help,
    registers: [registry],
    // Every worker reads the same shared figures: an instance reports them once, not summed.
    aggregator: "first",
    async collect() {
      const read = await readFigures();
      this.set(read ? (pick(read) ?? Number.NaN) : Number.NaN);
    },
  });
}

matchGauge("ephemera_strangers_waiting", "People waiting for a stranger, on every instance", (read) => read.waiting);
matchGauge(
  "ephemera_strangers_online",
  "People waiting for or chatting with a stranger, on every instance",
  (read) => read.online,
);
matchGauge(
  "ephemera_stranger_matches_this_hour",
  "Strangers paired this hour (UTC), all instances",
  (read) => read.matches,
);
matchGauge(
  "ephemera_stranger_median_wait_seconds",
  "This hour's median wait for a stranger: the upper bound of its histogram bucket",
  (read) => read.medianWaitSeconds,
);
matchGauge(
  "ephemera_stranger_median_chat_seconds",
  "This hour's median stranger chat length: the upper bound of its histogram bucket",
  (read) => read.medianChatSeconds,
);
