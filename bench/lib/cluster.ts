import { Redis } from "ioredis";
import { startAppServer, type AppServer } from "../../tests/support/app-server";
import { startRedisServer, type TestRedis } from "../../tests/support/redis-server";

export const METRICS_TOKEN = "bench-metrics-token-0123456789";
const SECRET = "bench-secret-bench-secret-bench-secret!";

/** A private redis-server and N production instances on it, as the product is deployed. */
export async function startCluster(instances = 1) {
  const redis: TestRedis = await startRedisServer();
  const env = {
    REDIS_URL: redis.url,
    SESSION_SECRET: SECRET,
    RATE_LIMITS: "off",
    LOG_LEVEL: "warn",
    METRICS_TOKEN,
    MAX_BODY_BYTES: "65536",
  };
  // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the servers.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const apps: AppServer[] = [];
  for (let index = 0; index < instances; index += 1) apps.push(await startAppServer(env, undefined, nodeArgs));
  const admin = new Redis(redis.url);
  return {
    redis,
    admin,
    apps,
    async stop() {
      admin.disconnect();
      await Promise.all(apps.map((app) => app.stop(5000)));
      await redis.stop();
    },
  };
}

/** Reads a gauge or counter from an instance's /metrics. */
export async function metric(base: string, name: string): Promise<number> {
  const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split("\n").find((entry) => entry.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : Number.NaN;
}
