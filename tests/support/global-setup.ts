import type { TestProject } from "vitest/node";
import { startRedisCluster } from "./redis-cluster";
import { startRedisServer } from "./redis-server";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    /** `host:port` of each primary of the suite's 3-primary Redis Cluster, comma-separated. */
    redisClusterNodes: string;
  }
}

export default async function setup(project: TestProject) {
  const [redis, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
  project.provide("redisUrl", redis.url);
  project.provide("redisClusterNodes", cluster.nodes.join(","));
  if (process.env.REDIS_CLUSTER_TIMING) console.info(`Redis Cluster of 3 primaries started in ${cluster.startMs} ms`);
  return () => Promise.all([redis.stop(), cluster.stop()]).then(() => undefined);
}
