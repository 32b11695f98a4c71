import { inject } from "vitest";

/** The Redis setups an app-level test runs its instances on: the suite's redis-server, and its Cluster. */
export const REDIS_SETUPS = ["one Redis", "a Redis Cluster"] as const;
export type RedisSetup = (typeof REDIS_SETUPS)[number];

/** The environment that points an app instance at `setup`. */
export function redisEnv(setup: RedisSetup): Record<string, string> {
  return setup === "one Redis"
    ? { REDIS_URL: inject("redisUrl") }
    : { REDIS_CLUSTER_NODES: inject("redisClusterNodes") };
}
