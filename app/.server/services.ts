import { randomBytes } from "node:crypto";
import { env, type Env } from "./env";
import { logger } from "./logger";
import { metrics, reportMatchesFrom, reportStoreFrom } from "./metrics";
import { MemoryRoomStore } from "./rooms/memory-store";
import { RedisRoomStore } from "./rooms/redis-store";
import type { RoomStore } from "./rooms/types";
import { MemoryMatchStore } from "./match/memory-match-store";
import { RedisMatchStore } from "./match/redis-match-store";
import type { MatchStore } from "./match/types";
import {
  createRedisConnections,
  parseClusterNodes,
  type RedisConnections,
  type RedisTarget,
} from "./redis/connections";
import { checkEviction, checkPersistence, type EvictionCheck, type PersistenceCheck } from "./redis/settings-check";
import { RedisSlotCounter } from "./redis/stream-slots";
import { ImageBudget } from "./image-budget";
import { RateLimits } from "./rate-limits";
import { RoomCookies } from "./room-cookie";
import { MemorySlotCounter, StreamLimits, type SlotCounter } from "./stream-slots";
import { createAccountStore } from "./accounts/create-account-store";
import { DeferredAccountStore } from "./accounts/deferred-account-store";
import { IdentitySeal } from "./accounts/identity-seal";
import { saltForUnknownUsername } from "./accounts/salt-for-unknown";
import type { AccountStore } from "./accounts/types";
import { ChatIds } from "./chats/chat-ids";
import { createChatDirectory } from "./chats/create-chat-directory";
import { ChatPartners, type DirectChatDeps } from "./chats/direct-chats";
import { CHAT_TIMER_CHOICES, DEFAULT_CHAT_TIMER_SECONDS } from "~/shared/direct-chats";

/**
 * A signed-out, revoked or deleted session's open streams end within this long: one indexed lookup
 * per stream this often, rather than a message to every instance on every sign-out.
 */
const SESSION_RECHECK_MS = 30_000;

/** Expired sessions are already refused; this only keeps the table from growing. */
const EXPIRED_SESSION_SWEEP_MS = 60 * 60 * 1000;

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
  /** Accounts and their sessions: PostgreSQL with DATABASE_URL, memory otherwise. */
  accounts: AccountStore;
  /** Seals each account's wrapped identity at rest, under a key from the server secret. */
  identitySeal: IdentitySeal;
  /** The stable, real-looking salt served for a (lowercase) username no account has. */
  saltForUnknown(normalizedUsername: string): Uint8Array;
  /**
   * Direct chats between accounts: the rooms that hold them (`store`), each account's list (in
   * Redis with the rooms, or memory), how chats and seats are named, the timers to choose from.
   */
  directChats: DirectChatDeps & { partners: ChatPartners };
  /** How often an open stream of a signed-in account checks its session is still live. */
  sessionRecheckMs: number;
  /** What Redis is set to do with what it holds, for the startup check; absent without Redis. */
  checkRedisSettings?: () => Promise<[PersistenceCheck, EvictionCheck]>;
  /** Closes the stores, then the Redis connections they share. */
  close(): Promise<void>;
}

/**
 * Where rooms are kept, and so everything beside them: in this process, or in Redis on one set
 * of connections that every store shares. Tests pass their own.
 */
export type Storage =
  { kind: "memory"; store: MemoryRoomStore } | { kind: "redis"; store: RedisRoomStore; connections: RedisConnections };

export function createServices(
  config: Env,
  storage: Storage = createStorage(config),
  accounts: AccountStore = deferredAccountStore(config),
): Services {
  // Rate-limit keys are keyed by the same secret: instances that verify each other's cookies
  // also count the same address alike.
  const secret = cookieSecret(config);
  const redis = storage.kind === "redis" ? storage.connections : undefined;
  const { store } = storage;
  // The stranger queue lives beside the rooms it creates, and stream slots beside the presence
  // whose instance heartbeats they count on.
  const matches: MatchStore =
    storage.kind === "memory"
      ? new MemoryMatchStore(storage.store, { graceMs: config.PRESENCE_GRACE_MS })
      : new RedisMatchStore(storage.connections, config.PRESENCE_GRACE_MS);
  const slots: SlotCounter =
    storage.kind === "redis"
      ? new RedisSlotCounter(storage.connections.commands, storage.store.instance)
      : new MemorySlotCounter();
  const chats = createChatDirectory(storage, { secret, presenceGraceMs: config.PRESENCE_GRACE_MS });
  const sweep = setInterval(() => {
    accounts.deleteExpiredSessions(new Date()).catch((error: unknown) => {
      logger.warn(
        { err: { message: error instanceof Error ? error.message : String(error) } },
        "Expired sessions were not swept",
      );
    });
  }, EXPIRED_SESSION_SWEEP_MS);
  sweep.unref();
  return {
    store,
    matches,
    cookies: new RoomCookies(secret, config.NODE_ENV === "production"),
    limits: new RateLimits(config, redis?.commands, secret),
    imageBudget: new ImageBudget(config, secret, redis?.commands),
    streams: new StreamLimits(config, slots, secret),
    defaultTtlSeconds: config.ROOM_TTL_SECONDS,
    trustProxy: config.TRUST_PROXY,
    accounts,
    identitySeal: new IdentitySeal(secret),
    saltForUnknown: (username) => saltForUnknownUsername(secret, username),
    directChats: {
      accounts,
      store,
      chats,
      chatIds: new ChatIds(secret),
      partners: new ChatPartners(),
      timerChoices: chatTimerChoices(config),
      defaultTimerSeconds: DEFAULT_CHAT_TIMER_SECONDS,
    },
    sessionRecheckMs: SESSION_RECHECK_MS,
    checkRedisSettings: redis && (() => Promise.all([checkPersistence(redis.commands), checkEviction(redis.commands)])),
    close: async () => {
      clearInterval(sweep);
      await accounts.close();
      await matches.close();
      await chats.close();
      await store.close();
      await slots.close();
      await redis?.close();
    },
  };
}

/** The usual four; a test server may add a shorter one (CHAT_SHORTEST_TIMER_SECONDS). */
function chatTimerChoices(config: Env): number[] {
  const usual: number[] = [...CHAT_TIMER_CHOICES];
  const shortest = config.CHAT_SHORTEST_TIMER_SECONDS;
  return shortest < usual[0]! ? [shortest, ...usual] : usual;
}

/** Made on first use (or at startup, which awaits it): a PostgreSQL store migrates first. */
function deferredAccountStore(config: Env): DeferredAccountStore {
  if (redisTarget(config) && !config.DATABASE_URL) {
    logger.warn(
      "Accounts are kept in this process's memory while rooms are shared through Redis: with several instances or workers, an account exists only where it was made. Set DATABASE_URL.",
    );
  }
  return new DeferredAccountStore(config.DATABASE_URL ? "postgres" : "memory", () => createAccountStore(config));
}

function createStorage(config: Env): Storage {
  const target = redisTarget(config);
  if (!target) {
    logger.info(
      { store: "memory" },
      "Using the in-memory store: single instance only, rooms end when the process does. Set REDIS_URL to run several instances.",
    );
    const store = new MemoryRoomStore({
      presenceGraceMs: config.PRESENCE_GRACE_MS,
      imageBytesMax: config.MEMORY_STORE_IMAGE_MB * 1_000_000,
    });
    return { kind: "memory", store };
  }
  if (typeof target === "string") {
    logger.info({ store: "redis" }, "Using the Redis store");
  } else if ("sentinels" in target) {
    logger.info({ store: "redis", sentinel: true }, "Using the Redis store on the primary the sentinels name");
  } else {
    logger.info({ store: "redis", cluster: true }, "Using the Redis store on a Redis Cluster");
  }
  const connections = createRedisConnections(target, {
    onError: (error, connection) => {
      metrics.redisErrors.inc({ connection });
      logger.warn({ connection, err: { message: error.message } }, "Redis connection error");
    },
    onReconnecting: (connection) => metrics.redisReconnects.inc({ connection }),
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
  const store = new RedisRoomStore(connections, { presenceGraceMs: config.PRESENCE_GRACE_MS });
  return { kind: "redis", store, connections };
}

/**
 * One Redis (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES), Redis with Sentinel
 * (REDIS_SENTINELS), or none: the in-memory store.
 */
export function redisTarget(config: Env): RedisTarget | undefined {
  if (config.REDIS_CLUSTER_NODES) return { clusterNodes: config.REDIS_CLUSTER_NODES };
  if (config.REDIS_SENTINELS && config.REDIS_SENTINEL_NAME) {
    return {
      sentinels: config.REDIS_SENTINELS.flatMap(parseClusterNodes),
      name: config.REDIS_SENTINEL_NAME,
      sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
    };
  }
  return config.REDIS_URL;
}

function cookieSecret(config: Env): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  if (redisTarget(config)) {
    logger.warn("SESSION_SECRET is unset: cookies from other instances will not verify");
  }
  return randomBytes(32).toString("base64url");
}

/**
 * The promise that messages never touch a disk holds only if Redis persists nothing, and rooms
 * last until they end only if Redis never evicts their keys. Say so loudly when it may do either
 * (or when it cannot be told), or refuse to run when REQUIRE_EPHEMERAL_REDIS is set.
 */
export async function checkRedisPersistence(
  services: Pick<Services, "checkRedisSettings">,
  config: Env,
): Promise<"ok" | "refuse"> {
  if (!services.checkRedisSettings) return "ok";
  const [persistence, eviction] = await services.checkRedisSettings();
  const findings = [diskFinding(persistence), evictionFinding(eviction)];
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
