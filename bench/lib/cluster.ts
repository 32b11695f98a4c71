import { resolve } from "node:path";
import { Redis } from "ioredis";
import { startAppServer, type AppServer } from "../../tests/support/app-server";
import { startRedisServer, type TestRedis } from "../../tests/support/redis-server";
import { memoryAfterGc as reportAfterGc } from "./memory-after-gc";

export const METRICS_TOKEN = "bench-metrics-token-0123456789";
const SECRET = "bench-secret-bench-secret-bench-secret!";

/**
 * A private redis-server and N production instances on it, as the product is deployed, each
 * with `workers` worker processes (WEB_CONCURRENCY, decision 015; BENCH_WORKERS sets the default).
 */
export async function startCluster(
  instances = 1,
  extraNodeArgs: string[] = [],
  {
    workers = Number(process.env.BENCH_WORKERS ?? 1),
    env: extraEnv = {},
    entry,
  }: { workers?: number; env?: Record<string, string>; /** Another build's `server.js`. */ entry?: string } = {},
) {
  const redis: TestRedis = await startRedisServer();
  const env = {
    REDIS_URL: redis.url,
    SESSION_SECRET: SECRET,
    RATE_LIMITS: "off",
    LOG_LEVEL: "warn",
    METRICS_TOKEN,
    MAX_BODY_BYTES: "65536",
    WEB_CONCURRENCY: String(workers),
    ...extraEnv,
  };
  // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the servers.
  const nodeArgs = [...extraNodeArgs, ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [])];
  const apps: AppServer[] = [];
  for (let index = 0; index < instances; index += 1)
    apps.push(await startAppServer(env, undefined, nodeArgs, { entry }));
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

export type Cluster = Awaited<ReturnType<typeof startCluster>>;

/** The CPU time Redis has used so far, in seconds (user + system). */
export async function redisCpuSeconds(admin: Redis): Promise<number> {
  const info = await admin.info("cpu");
  const value = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return value("used_cpu_sys") + value("used_cpu_user");
}

/** Reads a gauge or counter from an instance's /metrics. */
export async function metric(base: string, name: string): Promise<number> {
  const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split("\n").find((entry) => entry.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : Number.NaN;
}

/** The process's memory as its /metrics reports it, in bytes. */
export async function memoryOf(base: string) {
  return {
    rss: await metric(base, "ephemera_process_resident_memory_bytes"),
    heap: await metric(base, "ephemera_nodejs_heap_size_used_bytes"),
    // What V8 has reserved for its heap, used or not: the gap to `heap` is fragmentation.
    heapCommitted: await metric(base, "ephemera_nodejs_heap_size_total_bytes"),
  };
}

/**
 * Memory right after a full GC: what is held, without uncollected garbage. The instance must
 * have been started with `GC_ON_SIGNAL_ARGS` (a full GC on SIGUSR2).
 */
export async function memoryAfterGc(app: AppServer) {
  await reportAfterGc(app.pid, (name) => app.signal(name));
  return memoryOf(app.url);
}

/** Node arguments that make SIGUSR2 run a full GC in the server (bench/lib/gc-on-signal.cjs). */
export const GC_ON_SIGNAL_ARGS = ["--expose-gc", "--require", resolve(import.meta.dirname, "gc-on-signal.cjs")];

/**
 * Runs `work` and reports the CPU it cost per message, in microseconds: the servers' (from their
 * /metrics), Redis's and this load process's own. Less noisy than latency on a shared machine,
 * and what bounds throughput: all three share the machine's cores.
 */
export async function cpuPerMessage<T extends { sent: number }>(cluster: Cluster, work: () => Promise<T>) {
  const serverCpu = async () =>
    (await Promise.all(cluster.apps.map((app) => metric(app.url, "ephemera_process_cpu_seconds_total")))).reduce(
      (a, b) => a + b,
      0,
    );
  const [serverBefore, redisBefore, loadBefore] = [
    await serverCpu(),
    await redisCpuSeconds(cluster.admin),
    process.cpuUsage(),
  ];
  const result = await work();
  const [serverAfter, redisAfter, load] = [
    await serverCpu(),
    await redisCpuSeconds(cluster.admin),
    process.cpuUsage(loadBefore),
  ];
  const perMessage = (micros: number) => Math.round(micros / Math.max(1, result.sent));
  return {
    ...result,
    cpuMicrosPerMessage: {
      server: perMessage((serverAfter - serverBefore) * 1e6),
      redis: perMessage((redisAfter - redisBefore) * 1e6),
      loadGenerator: perMessage(load.user + load.system),
    },
  };
}

/** The server's own view of a run: event-loop lag, GC time by kind, send→deliver buckets. */
export async function serverView(base: string) {
  const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const lines = (await response.text()).split("\n").filter((line) => line && !line.startsWith("#"));
  const pick = (prefix: string) =>
    Object.fromEntries(
      lines
        .filter((line) => line.startsWith(prefix))
        .map((line) => {
          const at = line.lastIndexOf(" ");
          return [line.slice(prefix.length, at) || "value", Number(line.slice(at + 1))];
        }),
    );
  return {
    eventLoopLagSeconds: pick("ephemera_nodejs_eventloop_lag_"),
    gcSecondsSum: pick("ephemera_nodejs_gc_duration_seconds_sum"),
    gcCount: pick("ephemera_nodejs_gc_duration_seconds_count"),
    sendToDeliverBuckets: pick("ephemera_send_to_deliver_seconds_bucket"),
    cpuSeconds: pick("ephemera_process_cpu_seconds_total"),
  };
}
