import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { claimPort, freePort, isPortFree } from "./free-port";
import { waitFor } from "./wait-for";

const run = promisify(execFile);

export interface TestRedisCluster {
  /** `host:port` of each primary, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  /** How long starting it took, in ms. */
  startMs: number;
  stop(): Promise<void>;
}

/**
 * A private Redis Cluster of `primaries` plain `redis-server` processes on free ports, persisting
 * nothing and with no replicas: enough for scripts that touch another slot's keys to fail as they
 * would in production (a single node hides them).
 */
export async function startRedisCluster(primaries = 3): Promise<TestRedisCluster> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "ephemera-redis-cluster-"));
  const ports = await distinctFreePorts(primaries);
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      "redis-server",
      [
        ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes"],
        ["--cluster-config-file", join(dir, `nodes-${port}.conf`), "--cluster-node-timeout", "2000"],
        ["--save", "", "--appendonly", "no", "--dir", dir],
      ].flat(),
      { stdio: "ignore" },
    ),
  );
  const exits = children.map((child) => new Promise<void>((resolve) => child.once("exit", () => resolve())));
  const stop = async () => {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(exits);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const probes = ports.map((port) => {
      const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
      probe.on("error", () => {});
      return probe;
    });
    try {
      await Promise.all(
        probes.map((probe) =>
          waitFor(
            async () => {
              if (probe.status !== "ready") await probe.connect().catch(() => {});
              return probe.status === "ready" && (await probe.ping()) === "PONG";
            },
            { timeoutMs: 10_000, what: `cluster node on port ${probe.options.port}` },
          ),
        ),
      );
      const nodes = ports.map((port) => `127.0.0.1:${port}`);
      await run("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"]);
      await Promise.all(
        probes.map((probe) =>
          waitFor(async () => String(await probe.cluster("INFO")).includes("cluster_state:ok"), {
            timeoutMs: 15_000,
            what: `cluster_state:ok on port ${probe.options.port}`,
          }),
        ),
      );
      return { nodes, startMs: Math.round(performance.now() - started), stop };
    } finally {
      for (const probe of probes) probe.disconnect();
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A cluster node also listens on its port + 10000 (the cluster bus), so that must be free too. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    // A cluster node also listens on its bus port, its own port + 10000.
    if (await isPortFree(port + 10_000)) {
      claimPort(port + 10_000);
      ports.add(port);
    }
  }
  return [...ports];
}
