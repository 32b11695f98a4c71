import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

describe("parseEnv", () => {
  it("gives a zero-setup default for everything", () => {
    expect(parseEnv({})).toEqual({
      NODE_ENV: "development",
      PORT: 3000,
      HOST: "0.0.0.0",
      REDIS_URL: undefined,
      SESSION_SECRET: undefined,
      DATABASE_URL: undefined,
      DEMO_ACCOUNTS: "off",
      ROOM_TTL_SECONDS: 600,
      MAX_BODY_BYTES: 65_536,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      REQUEST_TIMEOUT_MS: 30_000,
      HEADERS_TIMEOUT_MS: 10_000,
      KEEP_ALIVE_TIMEOUT_MS: 5000,
      WEB_CONCURRENCY: 1,
      PRESENCE_GRACE_MS: 5000,
      METRICS_TOKEN: undefined,
      RATE_LIMITS: "on",
      RATE_LIMIT_ROOMS_PER_MINUTE: 20,
      RATE_LIMIT_JOINS_PER_MINUTE: 60,
      RATE_LIMIT_MESSAGES_PER_SECOND: 5,
      RATE_LIMIT_MESSAGE_BURST: 10,
      RATE_LIMIT_STREAMS_PER_PERSON: 10,
      RATE_LIMIT_STREAMS_PER_ADDRESS: 100,
      RATE_LIMIT_IMAGE_MB_PER_HOUR: 100,
      MEMORY_STORE_IMAGE_MB: 256,
      RATE_LIMIT_READS_PER_MINUTE: 120,
      RATE_LIMIT_SIGN_INS_PER_MINUTE: 5,
      RATE_LIMIT_SIGN_INS_PER_ADDRESS_PER_MINUTE: 30,
      RATE_LIMIT_SIGN_UPS_PER_HOUR: 10,
      RATE_LIMIT_SALT_LOOKUPS_PER_MINUTE: 30,
      RATE_LIMIT_PASSWORD_CHANGES_PER_HOUR: 5,
      RATE_LIMIT_PEOPLE_SEARCHES_PER_MINUTE: 60,
      CHAT_SHORTEST_TIMER_SECONDS: 300,
      TRUST_PROXY: "off",
      REDIS_COMMAND_TIMEOUT_MS: 2000,
      REQUIRE_EPHEMERAL_REDIS: false,
      LOG_LEVEL: "info",
    });
  });

  it("reads and coerces every variable", () => {
    const env = parseEnv({
      NODE_ENV: "production",
      PORT: "8080",
      REDIS_URL: "rediss://user:pass@redis.internal:6380/0",
      SESSION_SECRET: "s".repeat(32),
      ROOM_TTL_SECONDS: "3600",
      LOG_LEVEL: "warn",
    });
    expect(env).toMatchObject({ PORT: 8080, ROOM_TTL_SECONDS: 3600, LOG_LEVEL: "warn" });
    expect(parseEnv({ REDIS_URL: "redis://localhost:6379", WEB_CONCURRENCY: "2" }).WEB_CONCURRENCY).toBe(2);
  });

  it("reads the accounts database and the demo accounts switch", () => {
    const url = "postgres://ephemera:secret@db.internal:5432/ephemera?sslmode=require";
    const secret = "s".repeat(32);
    expect(parseEnv({ DATABASE_URL: url, SESSION_SECRET: secret })).toMatchObject({
      DATABASE_URL: url,
      DEMO_ACCOUNTS: "off",
    });
    expect(parseEnv({ DATABASE_URL: "postgresql://localhost/ephemera", SESSION_SECRET: secret }).DATABASE_URL).toBe(
      "postgresql://localhost/ephemera",
    );
    expect(parseEnv({ DEMO_ACCOUNTS: "on" }).DEMO_ACCOUNTS).toBe("on");
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
    expect(parseEnv({ NODE_ENV: "production", DATABASE_URL: url, SESSION_SECRET: "s".repeat(32) }).DATABASE_URL).toBe(
      url,
    );
  });

  it("reads a Redis Cluster's nodes", () => {
    expect(parseEnv({ REDIS_CLUSTER_NODES: "10.0.0.1:7000, redis-2.internal:7001" }).REDIS_CLUSTER_NODES).toEqual([
      "10.0.0.1:7000",
      "redis-2.internal:7001",
    ]);
    expect(parseEnv({ REDIS_CLUSTER_NODES: "a:7000", WEB_CONCURRENCY: "2" }).WEB_CONCURRENCY).toBe(2);
  });

  it("reads the sentinels, the primary's name and the sentinels' password", () => {
    expect(
      parseEnv({
        REDIS_SENTINELS: "10.0.0.1:26379, sentinel-2.internal:26380",
        REDIS_SENTINEL_NAME: "ephemera",
        REDIS_SENTINEL_PASSWORD: "sentinel-secret",
        WEB_CONCURRENCY: "2",
      }),
    ).toMatchObject({
      REDIS_SENTINELS: ["10.0.0.1:26379", "sentinel-2.internal:26380"],
      REDIS_SENTINEL_NAME: "ephemera",
      REDIS_SENTINEL_PASSWORD: "sentinel-secret",
      WEB_CONCURRENCY: 2,
    });
    expect(parseEnv({ REDIS_SENTINELS: "a:26379", REDIS_SENTINEL_NAME: "m" }).REDIS_SENTINEL_PASSWORD).toBeUndefined();
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ REDIS_URL: "", PORT: "", SESSION_SECRET: "" })).toMatchObject({
      REDIS_URL: undefined,
      PORT: 3000,
    });
  });

  it.each([
    [{ TRUST_PROXY: "1" }, 1],
    [{ TRUST_PROXY: "fly" }, "fly"],
    [{ TRUST_PROXY: "" }, "off"],
  ])("reads TRUST_PROXY %j", (source, expected) => {
    expect(parseEnv(source).TRUST_PROXY).toBe(expected);
  });

  it.each([
    [{ TRUST_PROXY: "yes" }, "TRUST_PROXY must be off, fly, or the number of proxies in front of the app (1-10)"],
    [{ RATE_LIMITS: "maybe" }, "RATE_LIMITS must be on or off"],
    [{ PORT: "eighty" }, "PORT must be a whole number from 1 to 65535"],
    [{ PORT: "70000" }, "PORT must be a whole number from 1 to 65535"],
    [{ ROOM_TTL_SECONDS: "5" }, "ROOM_TTL_SECONDS must be a whole number from 10 to 86400"],
    [{ REDIS_URL: "localhost:6379" }, "REDIS_URL must be a redis:// or rediss:// URL"],
    [{ REDIS_URL: "http://localhost:6379" }, "REDIS_URL must be a redis:// or rediss:// URL"],
    [{ SESSION_SECRET: "short" }, "SESSION_SECRET must be at least 32 characters"],
    [{ REDIS_CLUSTER_NODES: "redis://a:7000" }, "REDIS_CLUSTER_NODES.0 must be a comma-separated list of host:port"],
    [{ REDIS_CLUSTER_NODES: "a:7000,b" }, "REDIS_CLUSTER_NODES.1 must be a comma-separated list of host:port"],
    [{ REDIS_CLUSTER_NODES: "a:70000" }, "REDIS_CLUSTER_NODES.0 must be a comma-separated list of host:port"],
    [
      { REDIS_URL: "redis://localhost:6379", REDIS_CLUSTER_NODES: "a:7000" },
      "REDIS_URL and REDIS_CLUSTER_NODES are both set: set only one, REDIS_URL for one Redis, REDIS_CLUSTER_NODES for a Cluster, or REDIS_SENTINELS for Redis with Sentinel",
    ],
    [
      { REDIS_URL: "redis://localhost:6379", REDIS_SENTINELS: "a:26379", REDIS_SENTINEL_NAME: "m" },
      "REDIS_URL and REDIS_SENTINELS are both set: set only one, REDIS_URL for one Redis, REDIS_CLUSTER_NODES for a Cluster, or REDIS_SENTINELS for Redis with Sentinel",
    ],
    [
      {
        REDIS_URL: "redis://localhost:6379",
        REDIS_CLUSTER_NODES: "a:7000",
        REDIS_SENTINELS: "a:26379",
        REDIS_SENTINEL_NAME: "m",
      },
      "REDIS_URL and REDIS_CLUSTER_NODES and REDIS_SENTINELS are all set: set only one, REDIS_URL for one Redis, REDIS_CLUSTER_NODES for a Cluster, or REDIS_SENTINELS for Redis with Sentinel",
    ],
    [
      { REDIS_SENTINELS: "a:26379" },
      "REDIS_SENTINEL_NAME is required with REDIS_SENTINELS: the name in the sentinels' `sentinel monitor <name> …` line",
    ],
    [{ REDIS_SENTINELS: "a:26379", REDIS_SENTINEL_NAME: "" }, "REDIS_SENTINEL_NAME is required with REDIS_SENTINELS"],
    [
      { REDIS_SENTINELS: "a:26379", REDIS_SENTINEL_NAME: "my master" },
      "REDIS_SENTINEL_NAME must be one word (the monitored primary's name)",
    ],
    [
      { REDIS_SENTINELS: "a", REDIS_SENTINEL_NAME: "m" },
      "REDIS_SENTINELS.0 must be a comma-separated list of host:port",
    ],
    [
      { REDIS_URL: "redis://localhost:6379", REDIS_SENTINEL_NAME: "m" },
      "REDIS_SENTINEL_NAME is set without REDIS_SENTINELS, which it goes with",
    ],
    [{ REDIS_SENTINEL_PASSWORD: "p" }, "REDIS_SENTINEL_PASSWORD is set without REDIS_SENTINELS, which it goes with"],
    [
      { NODE_ENV: "production", REDIS_CLUSTER_NODES: "a:7000" },
      "SESSION_SECRET is required in production when REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS is set (at least 32 characters)",
    ],
    [
      { NODE_ENV: "production", REDIS_SENTINELS: "a:26379", REDIS_SENTINEL_NAME: "m" },
      "SESSION_SECRET is required in production when REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS is set (at least 32 characters)",
    ],
    [
      { REQUEST_TIMEOUT_MS: "5000", HEADERS_TIMEOUT_MS: "6000" },
      "HEADERS_TIMEOUT_MS must not be more than REQUEST_TIMEOUT_MS",
    ],
    [{ WEB_CONCURRENCY: "0" }, "WEB_CONCURRENCY must be a whole number from 1 to 64"],
    [{ REDIS_COMMAND_TIMEOUT_MS: "50" }, "REDIS_COMMAND_TIMEOUT_MS must be a whole number from 100 to 60000"],
    [
      { WEB_CONCURRENCY: "2" },
      "WEB_CONCURRENCY above 1 needs REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS: without Redis, rooms live in one process's memory",
    ],
    [
      { NODE_ENV: "production", REDIS_URL: "redis://localhost:6379" },
      "SESSION_SECRET is required in production when REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS is set (at least 32 characters)",
    ],
    [
      { DATABASE_URL: "mysql://localhost/ephemera", SESSION_SECRET: "s".repeat(32) },
      "DATABASE_URL must be a postgres:// or postgresql:// URL",
    ],
    [
      { DATABASE_URL: "localhost:5432", SESSION_SECRET: "s".repeat(32) },
      "DATABASE_URL must be a postgres:// or postgresql:// URL",
    ],
    [{ DEMO_ACCOUNTS: "yes" }, "DEMO_ACCOUNTS must be on or off"],
    [{ CHAT_SHORTEST_TIMER_SECONDS: "600" }, "CHAT_SHORTEST_TIMER_SECONDS must be a whole number from 5 to 300"],
    [
      { RATE_LIMIT_PEOPLE_SEARCHES_PER_MINUTE: "0" },
      "RATE_LIMIT_PEOPLE_SEARCHES_PER_MINUTE must be a whole number from 1 to 100000",
    ],
    [
      { DEMO_ACCOUNTS: "on", DATABASE_URL: "postgres://localhost/ephemera", SESSION_SECRET: "s".repeat(32) },
      "DEMO_ACCOUNTS must be off when DATABASE_URL is set: demo accounts have a published password",
    ],
    [
      { NODE_ENV: "production", DATABASE_URL: "postgres://localhost/ephemera" },
      "SESSION_SECRET is required when DATABASE_URL is set (at least 32 characters): it seals the accounts' keys",
    ],
    [
      { NODE_ENV: "development", DATABASE_URL: "postgres://localhost/ephemera" },
      "SESSION_SECRET is required when DATABASE_URL is set (at least 32 characters): it seals the accounts' keys",
    ],
  ])("rejects %j with one line naming the variable", (source, problem) => {
    expect(() => parseEnv(source)).toThrow(`Invalid environment: ${problem}`);
  });

  it("lists every bad variable in the same line", () => {
    expect(() => parseEnv({ PORT: "x", ROOM_TTL_SECONDS: "1" })).toThrow(
      "Invalid environment: PORT must be a whole number from 1 to 65535; ROOM_TTL_SECONDS must be a whole number from 10 to 86400",
    );
  });
});
