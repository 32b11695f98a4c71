import { randomBytes } from "node:crypto";
import { env, type Env } from "./env";
import { logger } from "./logger";
import { metrics, reportMatchesFrom, reportStoreFrom } from "./metrics";
import { MemoryRoomStore } from "./rooms/memory-store";
import { RedisRoomStore, type EvictionCheck, type PersistenceCheck } from "./rooms/redis-store";
import type { RoomStore } from "./rooms/types";
import { MemoryMatchStore } from "./match/memory-match-store";
import { RedisMatchStore } from "./match/redis-match-store";
import type { MatchStore } from "./match/types";
import { ImageBudget } from "./image-budget";
import { RateLimits } from "./rate-limits";
import { RoomCookies } from "./room-cookie";
import { MemorySlotCounter, StreamLimits } from "./stream-slots";

/** What request handlers depend on; tests build their own with either store. */
export interface Services {
  store: RoomStore;
  matches: MatchStore;
  cookies: RoomCookies;
  limits: RateLimits;
  imageBudget: ImageBudget;
  streams: StreamLimits;
  defaultTtlSeconds: number;
  trustProxy: Env["TRUST_PROXY"];
}

export function createServices(config: Env, givenStore?: RoomStore): Services {
  const store = givenStore ?? createStore(config);
  // Rate-limit keys are keyed by the same secret: instances that verify each other's cookies
  // also count the same address alike.
  const secret = cookieSecret(config);
  const redis = store instanceof RedisRoomStore ? store.connection : undefined;
  return {
    store,
    matches: createMatchStore(store, config),
    cookies: new RoomCookies(secret, config.NODE_ENV === "production"),
    limits: new RateLimits(config, redis, secret),
    imageBudget: new ImageBudget(config, secret, redis),
    streams: new StreamLimits(config, store instanceof RedisRoomStore ? store.streamSlots : new MemorySlotCounter(), secret),
    defaultTtlSeconds: config.ROOM_TTL_SECONDS,
    trustProxy: config.TRUST_PROXY,
  };
}

function createStore(config: Env): RoomStore {
  if (!config.REDIS_URL) {
    logger.info(
      { store: "memory" },
      "Using the in-memory store: single instance only, rooms end when the process does. Set REDIS_URL to run several instances.",
    );
    return new MemoryRoomStore({ presenceGraceMs: config.PRESENCE_GRACE_MS, imageBytesMax: config.MEMORY_STORE_IMAGE_MB * 1_000_000 });
  }
  logger.info({ store: "redis" }, "Using the Redis store");
  return new RedisRoomStore(config.REDIS_URL, {
    onError: (error, connection) => {
      metrics.redisErrors.inc({ connection });
      logger.warn({ connection, err: { message: error.message } }, "Redis connection error");
    },
    onReconnecting: (connection) => metrics.redisReconnects.inc({ connection }),
    presenceGraceMs: config.PRESENCE_GRACE_MS,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
}

/** The stranger queue lives beside the rooms it creates: in Redis with Redis, else in memory. */
function createMatchStore(store: RoomStore, config: Env): MatchStore {
  if (store instanceof RedisRoomStore) return new RedisMatchStore(store, config.PRESENCE_GRACE_MS);
  if (store instanceof MemoryRoomStore) return new MemoryMatchStore(store, { graceMs: config.PRESENCE_GRACE_MS });
  throw new Error(`no stranger queue for a ${store.kind} room store`);
}

function cookieSecret(config: Env): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  if (config.REDIS_URL) {
    logger.warn("SESSION_SECRET is unset: cookies from other instances will not verify");
  }
  return randomBytes(32).toString("base64url");
}

/**
 * The promise that messages never touch a disk holds only if Redis persists nothing, and rooms
 * last until they end only if Redis never evicts their keys. Say so loudly when it may do either
 * (or when it cannot be told), or refuse to run when REQUIRE_EPHEMERAL_REDIS is set.
 */
export async function checkRedisPersistence(store: RoomStore, config: Env): Promise<"ok" | "refuse"> {
  if (!(store instanceof RedisRoomStore)) return "ok";
  const findings = [diskFinding(await store.checkPersistence()), evictionFinding(await store.checkEviction())];
  let verdict: "ok" | "refuse" = "ok";
  for (const finding of findings) {
    if ("fine" in finding) {
      logger.info(finding.fine);
    } else {
      logger.warn(finding.details, finding.warning);
      if (config.REQUIRE_EPHEMERAL_REDIS) verdict = "refuse";
    }
  }
  return verdict;
}

type Finding = { fine: string } | { warning: string; details: Record<string, unknown> };

const cannotCheck = (what: string, instead: string, reason: string): Finding => ({
  warning: `Could not check whether Redis ${what} (CONFIG is not allowed here). Make sure your provider ${instead}.`,
  details: { reason },
});

function diskFinding(check: PersistenceCheck): Finding {
  if (check.status === "ephemeral") return { fine: "Redis persists nothing to disk" };
  if (check.status === "unknown") return cannotCheck("writes to disk", "keeps no snapshots or AOF", check.reason);
  return {
    warning: `REDIS PERSISTS TO DISK (${check.settings.join(", ")}): messages can outlive their rooms in snapshots. Run redis-server with --save "" --appendonly no, or CONFIG SET save "" and CONFIG SET appendonly no.`,
    details: { settings: check.settings },
  };
}

/**
 * At maxmemory an evicting Redis deletes keys, a live room's among them: its conversation ends as
 * lost. With `noeviction` a full Redis refuses new writes instead ("the server is full") and
 * every room keeps what it has.
 */
function evictionFinding(check: EvictionCheck): Finding {
  if (check.status === "noeviction") return { fine: "Redis never evicts a room (maxmemory-policy noeviction)" };
  if (check.status === "unknown") return cannotCheck("evicts keys", "uses maxmemory-policy noeviction", check.reason);
  return {
    warning: `REDIS MAY EVICT ROOMS (maxmemory-policy ${check.policy}): at maxmemory it deletes keys of live rooms, which then end as lost. Run redis-server with --maxmemory-policy noeviction, or CONFIG SET maxmemory-policy noeviction.`,
    details: { policy: check.policy },
  };
}

// Kept on globalThis so the dev server's module reloads reuse one store and one Redis connection.
const holder = globalThis as typeof globalThis & { __ephemeraServices?: Services };

export function getServices(): Services {
  if (!holder.__ephemeraServices) {
    holder.__ephemeraServices = createServices(env);
    reportMatchesFrom(holder.__ephemeraServices.matches);
    reportStoreFrom(holder.__ephemeraServices.store);
  }
  return holder.__ephemeraServices;
}
