import type { TestProject } from "vitest/node";
import { startPostgresServer } from "./postgres-server";
import { startRedisCluster } from "./redis-cluster";
import { startRedisServer } from "./redis-server";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    /** The suite's own PostgreSQL, for making databases (createTestDatabase); never tested in directly. */
    postgresAdminUrl: string;
    /** `host:port` of each primary of the suite's 3-primary Redis Cluster, comma-separated. */
    redisClusterNodes: string;
  }
}

export default async function setup(project: TestProject) {
  const started = await Promise.allSettled([startRedisServer(), startRedisCluster(), startPostgresServer()]);
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    // Stop what did start: a setup that fails must not leave servers running behind it.
    await Promise.all(started.map((result) => (result.status === "fulfilled" ? result.value.stop() : undefined)));
    throw failed.reason;
  }
  const [redis, cluster, postgres] = started.map((result) => (result as PromiseFulfilledResult<unknown>).value) as [
    Awaited<ReturnType<typeof startRedisServer>>,
    Awaited<ReturnType<typeof startRedisCluster>>,
    Awaited<ReturnType<typeof startPostgresServer>>,
  ];
  project.provide("redisUrl", redis.url);
  project.provide("redisClusterNodes", cluster.nodes.join(","));
  project.provide("postgresAdminUrl", postgres.adminUrl);
  if (process.env.REDIS_CLUSTER_TIMING) console.info(`Redis Cluster of 3 primaries started in ${cluster.startMs} ms`);
  return async () => {
    await Promise.all([redis.stop(), cluster.stop(), postgres.stop()]);
  };
}
