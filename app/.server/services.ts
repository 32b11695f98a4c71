import { randomBytes } from "node:crypto";
import { env, type Env } from "./env";
import { logger } from "./logger";
import { metrics, reportMatchesFrom } from "./metrics";
import { MemoryRoomStore } from "./rooms/memory-store";
import { RedisRoomStore } from "./rooms/redis-store";
import type { RoomStore } from "./rooms/types";
import { MemoryMatchStore } from "./match/memory-match-store";
import { RedisMatchStore } from "./match/redis-match-store";
import type { MatchStore } from "./match/types";
import { RateLimits } from "./rate-limits";
import { RoomCookies } from "./room-cookie";

/** What request handlers depend on; tests build their own with either store. */
export interface Services {
  store: RoomStore;
  matches: MatchStore;
  cookies: RoomCookies;
  limits: RateLimits;
  defaultTtlSeconds: number;
  trustProxy: Env["TRUST_PROXY"];
}

export function createServices(config: Env, givenStore?: RoomStore): Services {
  const store = givenStore ?? createStore(config);
  return {
    store,
    matches: createMatchStore(store, config),
    cookies: new RoomCookies(cookieSecret(config), config.NODE_ENV === "production"),
    limits: new RateLimits(config, store instanceof RedisRoomStore ? store.connection : undefined),
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
    return new MemoryRoomStore({ presenceGraceMs: config.PRESENCE_GRACE_MS });
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
 * The promise that messages never touch a disk holds only if Redis persists nothing. Say so
 * loudly when it does, or refuse to run when REQUIRE_EPHEMERAL_REDIS is set.
 */
export async function checkRedisPersistence(store: RoomStore, config: Env): Promise<"ok" | "refuse"> {
  if (!(store instanceof RedisRoomStore)) return "ok";
  const check = await store.checkPersistence();
  if (check.status === "ephemeral") {
    logger.info("Redis persists nothing to disk");
    return "ok";
  }
  if (check.status === "unknown") {
    logger.warn(
      { reason: check.reason },
      "Could not check whether Redis writes to disk (CONFIG is not allowed here). Make sure your provider keeps no snapshots or AOF.",
    );
    return config.REQUIRE_EPHEMERAL_REDIS ? "refuse" : "ok";
  }
  logger.warn(
    { settings: check.settings },
    `REDIS PERSISTS TO DISK (${check.settings.join(", ")}): messages can outlive their rooms in snapshots. Run redis-server with --save "" --appendonly no, or CONFIG SET save "" and CONFIG SET appendonly no.`,
  );
  return config.REQUIRE_EPHEMERAL_REDIS ? "refuse" : "ok";
}

// Kept on globalThis so the dev server's module reloads reuse one store and one Redis connection.
const holder = globalThis as typeof globalThis & { __ephemeraServices?: Services };

export function getServices(): Services {
  if (!holder.__ephemeraServices) {
    holder.__ephemeraServices = createServices(env);
    reportMatchesFrom(holder.__ephemeraServices.matches);
  }
  return holder.__ephemeraServices;
}
