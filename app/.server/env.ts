import { z } from "zod";

/** Treats `VAR=` (common in .env files and dashboards) the same as an unset variable. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });

/** `host:port,…`, as REDIS_CLUSTER_NODES and REDIS_SENTINELS take them. */
const hostPortList = z
  .string()
  .transform((list) => list.split(",").map((node) => node.trim()))
  .pipe(
    z.array(
      z.string().regex(/^[^\s:,/]+:([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/, {
        error: "must be a comma-separated list of host:port",
      }),
    ),
  );

/** The ways to point the app at Redis; at most one is set. */
const REDIS_MODES = ["REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_SENTINELS"] as const;
const ANY_REDIS = "REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS";

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: optional(integer(1, 65535)).default(3000),
    /** Interface to listen on; all of them by default, as a container needs. */
    HOST: optional(z.string().min(1)).default("0.0.0.0"),
    REDIS_URL: optional(z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" })),
    /**
     * A Redis Cluster instead of one Redis: some of its nodes as `host:port,…` (decision 025). The
     * rest are found from these.
     */
    REDIS_CLUSTER_NODES: optional(hostPortList),
    /**
     * Redis watched by Sentinel instead of one Redis: some of the sentinels as `host:port,…`; they
     * name the current primary, and the app follows it through a failover (decision 027).
     */
    REDIS_SENTINELS: optional(hostPortList),
    /** The primary's name in the sentinels' `sentinel monitor <name> …`: required with REDIS_SENTINELS. */
    REDIS_SENTINEL_NAME: optional(
      z.string().regex(/^\S+$/, { error: "must be one word (the monitored primary's name)" }),
    ),
    /** The sentinels' own password (their `requirepass`), when they have one. */
    REDIS_SENTINEL_PASSWORD: optional(z.string().min(1)),
    SESSION_SECRET: optional(z.string().min(32, { error: "must be at least 32 characters" })),
    /**
     * PostgreSQL for accounts (and only accounts: rooms and messages never go there). Unset:
     * accounts live in memory and end with the process.
     */
    DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" })),
    /** `on` creates the demo accounts alice and bob at startup, in the in-memory store only. */
    DEMO_ACCOUNTS: z.enum(["on", "off"], { error: "must be on or off" }).default("off"),
    ROOM_TTL_SECONDS: optional(integer(10, 86_400)).default(600),
    /**
     * How long someone whose tab closed or network dropped still shows as here: a reload within it
     * never shows as leaving. Also sets how fast a crashed instance's people show as gone.
     */
    PRESENCE_GRACE_MS: optional(integer(500, 10_000)).default(5000),
    /** Largest request body accepted; a 2000-character message is at most ~8 KB of JSON. */
    MAX_BODY_BYTES: optional(integer(1024, 10_485_760)).default(65_536),
    /**
     * Worker processes sharing the port (node:cluster). One Node process uses one core for
     * JavaScript; on a machine with several, one worker per core (decision 015). Needs Redis.
     */
    WEB_CONCURRENCY: optional(integer(1, 64)).default(1),
    /**
     * How long a whole request (head and body) may take to arrive. A chat's bodies are small; the
     * largest, a 2 MB sealed image, fits in this on a slow mobile uplink. A slow or stalled body is
     * answered 408 and its connection closed. Event streams are not cut: their request is complete
     * once its head has arrived.
     */
    REQUEST_TIMEOUT_MS: optional(integer(1000, 300_000)).default(30_000),
    /** How long a request's head may take to arrive (at most REQUEST_TIMEOUT_MS). */
    HEADERS_TIMEOUT_MS: optional(integer(500, 300_000)).default(10_000),
    /** How long an idle connection is kept open for a next request. */
    KEEP_ALIVE_TIMEOUT_MS: optional(integer(500, 600_000)).default(5000),
    /** How long a SIGTERM may take: streams are cut at once, requests in flight get the rest. */
    SHUTDOWN_TIMEOUT_MS: optional(integer(1000, 60_000)).default(10_000),
    /** Enables /metrics, which then requires `Authorization: Bearer <token>`. */
    METRICS_TOKEN: optional(z.string().min(16, { error: "must be at least 16 characters" })),
    /** `off` disables every limit (load tests, benchmarks). */
    RATE_LIMITS: z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
    RATE_LIMIT_ROOMS_PER_MINUTE: optional(integer(1, 100_000)).default(20),
    RATE_LIMIT_JOINS_PER_MINUTE: optional(integer(1, 100_000)).default(60),
    RATE_LIMIT_MESSAGES_PER_SECOND: optional(integer(1, 10_000)).default(5),
    RATE_LIMIT_MESSAGE_BURST: optional(integer(0, 10_000)).default(10),
    /** Event streams one person may hold open at once (a room seat, or a stranger-page visitor). */
    RATE_LIMIT_STREAMS_PER_PERSON: optional(integer(1, 10_000)).default(10),
    /** Event streams one client address may hold open at once, everyone behind it together. */
    RATE_LIMIT_STREAMS_PER_ADDRESS: optional(integer(1, 1_000_000)).default(100),
    /** Sealed image megabytes (10^6 bytes) one client address may upload per hour. */
    RATE_LIMIT_IMAGE_MB_PER_HOUR: optional(integer(1, 1_000_000)).default(100),
    /**
     * Sealed image megabytes the in-memory store holds in all, every room together: they are
     * this process's memory. (With Redis, its maxmemory is the ceiling.)
     */
    MEMORY_STORE_IMAGE_MB: optional(integer(1, 1_000_000)).default(256),
    /** Queries (message pages, the countdown's resync, the lobby's counts) per client address. */
    RATE_LIMIT_READS_PER_MINUTE: optional(integer(1, 100_000)).default(120),
    /**
     * Sign-in attempts per username a minute; past it the wait grows (4× this an hour, 10× a
     * day), so guessing one person's password online is slow whatever the number of addresses.
     */
    RATE_LIMIT_SIGN_INS_PER_MINUTE: optional(integer(1, 10_000)).default(5),
    /** Sign-in attempts per client address a minute, whatever the names (one network, many people). */
    RATE_LIMIT_SIGN_INS_PER_ADDRESS_PER_MINUTE: optional(integer(1, 100_000)).default(30),
    /** New accounts per client address an hour. */
    RATE_LIMIT_SIGN_UPS_PER_HOUR: optional(integer(1, 100_000)).default(10),
    /** Salt lookups (one before every sign-in) per client address a minute. */
    RATE_LIMIT_SALT_LOOKUPS_PER_MINUTE: optional(integer(1, 100_000)).default(30),
    /** Password changes per account an hour (each one checks the current password). */
    RATE_LIMIT_PASSWORD_CHANGES_PER_HOUR: optional(integer(1, 10_000)).default(5),
    /** People searches (a few per name typed) per account a minute: finding, never listing, people. */
    RATE_LIMIT_PEOPLE_SEARCHES_PER_MINUTE: optional(integer(1, 100_000)).default(60),
    /**
     * The shortest disappearing timer a direct chat may choose, in seconds: 300 (5 minutes) for
     * people; a test server may allow less, to watch a message disappear.
     */
    CHAT_SHORTEST_TIMER_SECONDS: optional(integer(5, 300)).default(300),
    /** Which proxy headers to believe for the client's address: off, fly, or a hop count. */
    TRUST_PROXY: z
      .preprocess(
        (value) => (value === "" || value === undefined ? "off" : /^\d+$/.test(String(value)) ? Number(value) : value),
        z.union([z.enum(["off", "fly"]), z.number().int().min(1).max(10)], {
          error: "must be off, fly, or the number of proxies in front of the app (1-10)",
        }),
      )
      .default("off"),
    /**
     * How long a Redis command may go unanswered before the request that sent it fails with a
     * retryable 503: a stalled Redis (paused, swapping, a blocked network) must not hang requests.
     */
    REDIS_COMMAND_TIMEOUT_MS: optional(integer(100, 60_000)).default(2000),
    /**
     * Refuse to start when Redis writes snapshots or an append-only file (messages would hit a
     * disk), or may evict keys under memory pressure (rooms would vanish mid-conversation).
     */
    REQUIRE_EPHEMERAL_REDIS: z
      .enum(["true", "false"], { error: "must be true or false" })
      .default("false")
      .transform((value) => value === "true"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((env, ctx) => {
    const modes = REDIS_MODES.filter((name) => env[name]);
    if (modes.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: [modes[0]!],
        message: `and ${modes.slice(1).join(" and ")} are ${modes.length > 2 ? "all" : "both"} set: set only one, REDIS_URL for one Redis, REDIS_CLUSTER_NODES for a Cluster, or REDIS_SENTINELS for Redis with Sentinel`,
      });
    }
    // Sentinels may watch several primaries; guessing the name would follow the wrong one.
    if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME) {
      ctx.addIssue({
        code: "custom",
        path: ["REDIS_SENTINEL_NAME"],
        message: "is required with REDIS_SENTINELS: the name in the sentinels' `sentinel monitor <name> …` line",
      });
    }
    for (const name of ["REDIS_SENTINEL_NAME", "REDIS_SENTINEL_PASSWORD"] as const) {
      if (env[name] && !env.REDIS_SENTINELS) {
        ctx.addIssue({ code: "custom", path: [name], message: "is set without REDIS_SENTINELS, which it goes with" });
      }
    }
    const redis = modes.length > 0;
    // The in-memory store lives in one process: a second worker would not see the first's rooms.
    if (env.WEB_CONCURRENCY > 1 && !redis) {
      ctx.addIssue({
        code: "custom",
        path: ["WEB_CONCURRENCY"],
        message: `above 1 needs ${ANY_REDIS}: without Redis, rooms live in one process's memory`,
      });
    }
    // Node refuses a head timeout longer than the whole request's.
    if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["HEADERS_TIMEOUT_MS"],
        message: "must not be more than REQUEST_TIMEOUT_MS",
      });
    }
    // Several instances behind one Redis must all verify each other's cookies, so a per-process
    // random secret would log people out whenever the load balancer switched instance.
    if (env.NODE_ENV === "production" && redis && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_SECRET"],
        message: `is required in production when ${ANY_REDIS} is set (at least 32 characters)`,
      });
    }
    // Demo accounts with a published password must never land in a database that outlives the demo.
    if (env.DEMO_ACCOUNTS === "on" && env.DATABASE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DEMO_ACCOUNTS"],
        message: "must be off when DATABASE_URL is set: demo accounts have a published password",
      });
    }
    // The secret seals every account's wrapped keys at rest and derives the salt served for an
    // unknown name: a per-process random one would leave every account's keys unreadable after a
    // restart, and change that salt between instances. Development with a database needs it too.
    if (env.DATABASE_URL && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_SECRET"],
        message: "is required when DATABASE_URL is set (at least 32 characters): it seals the accounts' keys",
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses the environment, or throws one readable line naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
  throw new EnvError(`Invalid environment: ${problems.join("; ")}`);
}

function loadEnv(): Env {
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    // One clear line, then stop: a half-configured server is worse than none.
    console.error(error.message);
    process.exit(1);
  }
}

export const env: Env = loadEnv();
