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

export interface SlotMove {
  slot: number;
  /** `host:port` of the primary that held the slot, and of the one that holds it now. */
  from: string;
  to: string;
  keysMoved: number;
  /** From IMPORTING/MIGRATING to the last node told the new owner, in ms. */
  ms: number;
}

/**
 * Moves one slot to another primary as `redis-cli --cluster reshard` does, step by step so a test
 * can run traffic across it: the target marks it IMPORTING and the source MIGRATING, the slot's
 * keys are MIGRATEd in small batches (clients meanwhile get ASK or TRYAGAIN), then every node is
 * told the new owner, the target first. `to` picks the target (`host:port`); another primary
 * otherwise.
 * `between` runs once the slot is marked and after each batch, so a test can let traffic reach the
 * slot in each state: marked with every key still on the source, split, and with every key moved.
 */
export async function moveSlot(
  nodes: string[],
  slot: number,
  { to, batch = 10, between }: { to?: string; batch?: number; between?: () => Promise<void> } = {},
): Promise<SlotMove> {
  const clients = new Map(nodes.map((node) => [node, connect(node)] as const));
  try {
    const ids = new Map<string, string>();
    for (const [node, client] of clients) ids.set(node, String(await client.cluster("MYID")));
    const from = await ownerOf(clients.get(nodes[0]!)!, slot);
    const target = to ?? nodes.find((node) => node !== from)!;
    if (target === from) throw new Error(`slot ${slot} is already on ${from}`);
    const source = clients.get(from)!;
    const destination = clients.get(target)!;
    const [targetHost, targetPort] = target.split(":") as [string, string];
    const started = performance.now();
    await destination.cluster("SETSLOT", slot, "IMPORTING", ids.get(from)!);
    await source.cluster("SETSLOT", slot, "MIGRATING", ids.get(target)!);
    await between?.();
    let keysMoved = 0;
    for (;;) {
      const keys = (await source.cluster("GETKEYSINSLOT", slot, batch)) as string[];
      if (keys.length === 0) break;
      await source.call("MIGRATE", targetHost, targetPort, "", 0, 5000, "KEYS", ...keys);
      keysMoved += keys.length;
      await between?.();
    }
    const targetId = ids.get(target)!;
    await destination.cluster("SETSLOT", slot, "NODE", targetId);
    await source.cluster("SETSLOT", slot, "NODE", targetId);
    for (const [node, client] of clients) {
      if (node !== from && node !== target) await client.cluster("SETSLOT", slot, "NODE", targetId);
    }
    return { slot, from, to: target, keysMoved, ms: Math.round(performance.now() - started) };
  } finally {
    for (const client of clients.values()) client.disconnect();
  }
}

/** `host:port` of the primary that serves `slot`, as the node `client` sees the Cluster. */
export async function ownerOf(client: Redis, slot: number): Promise<string> {
  const range = (await client.cluster("SLOTS")).find(([first, last]) => first <= slot && slot <= last);
  const [host, port] = range?.[2] ?? [];
  if (!host) throw new Error(`no node serves slot ${slot}`);
  return `${host}:${port}`;
}

/** A plain connection to one node (`host:port`), for commands addressed to that node. */
export function connect(node: string): Redis {
  const [host, port] = node.split(":") as [string, string];
  const client = new Redis({ host, port: Number(port), maxRetriesPerRequest: 0 });
  client.on("error", () => {});
  return client;
}
