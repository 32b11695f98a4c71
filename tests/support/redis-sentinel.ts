import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./free-port";
import { waitFor } from "./wait-for";

/** The name the test sentinel monitors its primary under, as REDIS_SENTINEL_NAME takes it. */
export const TEST_SENTINEL_NAME = "ephemera-test";

export interface TestRedisSentinel {
  /** The sentinels, as REDIS_SENTINELS takes them. */
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  /** The primary's and the replica's ports, the primary first. */
  ports: [number, number];
  /** How long starting it took, in ms. */
  startMs: number;
  /** The port of the server the sentinel names as primary now. */
  primaryPort(): Promise<number>;
  /** SIGKILLs the server on `port`: no goodbye to its replica or clients, as in a crash. */
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A private primary, one replica and `sentinels` sentinels (1 unless told) on free ports,
 * persisting nothing. The sentinels call the primary down after a second unanswered and fail over
 * once a majority agrees (a quorum of one for a lone sentinel), so a test sees a failover in
 * seconds rather than the half minute of a default setup. `DEBUG` is allowed from loopback, so a
 * test can hold the replica still (`DEBUG SLEEP`) while the primary takes writes it never passes on.
 */
export async function startRedisSentinel({ sentinels: count = 1 } = {}): Promise<TestRedisSentinel> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "ephemera-redis-sentinel-"));
  const [primary, replica] = [await freePort(), await freePort()];
  const sentinelPorts: number[] = [];
  for (let index = 0; index < count; index += 1) sentinelPorts.push(await freePort());
  const [sentinel] = sentinelPorts as [number];
  const quorum = Math.floor(count / 2) + 1;
  const children = new Map<number, { child: ChildProcess; exited: Promise<void> }>();
  const spawnServer = (port: number, args: string[]) => {
    const child = spawn("redis-server", args, { stdio: "ignore" });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.once("error", (error) => {
      throw new Error(`redis-server could not start (is it installed and on PATH?): ${error.message}`);
    });
    children.set(port, { child, exited });
  };
  // A full sync streams the data set over the socket on both sides (as docs/deploy.md asks: an
  // RDB file on either disk would hold messages), and starts at once rather than after 5 s.
  const serverArgs = (port: number) =>
    [
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
      ["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", "--repl-diskless-load", "swapdb"],
      ["--enable-debug-command", "local"],
    ].flat();
  spawnServer(primary, serverArgs(primary));
  spawnServer(replica, [...serverArgs(replica), "--replicaof", "127.0.0.1", String(primary)]);
  // Sentinel rewrites its config file as it learns, so each needs one of its own on disk.
  const confFor = (port: number) => {
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${TEST_SENTINEL_NAME} 127.0.0.1 ${primary} ${quorum}`,
        `sentinel down-after-milliseconds ${TEST_SENTINEL_NAME} 1000`,
        `sentinel failover-timeout ${TEST_SENTINEL_NAME} 3000`,
        "",
      ].join("\n"),
    );
    return conf;
  };

  const stop = async () => {
    for (const { child } of children.values()) child.kill("SIGTERM");
    await Promise.all([...children.values()].map(({ exited }) => exited));
    rmSync(dir, { recursive: true, force: true });
  };
  const connect = (port: number) => {
    const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    return client;
  };
  const ready = async (client: Redis) => {
    if (client.status !== "ready") await client.connect().catch(() => {});
    return client.status === "ready";
  };
  const probe = connect(sentinel);
  const primaryPort = async () => {
    const [, port] = (await probe.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", TEST_SENTINEL_NAME)) as [string, string];
    return Number(port);
  };
  try {
    // The sentinel reads the primary's INFO at once, then every 10 s: a replica that is already
    // in sync when it starts is seen in its first second.
    const replicaProbe = connect(replica);
    try {
      await waitFor(
        async () =>
          (await ready(replicaProbe)) && (await replicaProbe.info("replication")).includes("master_link_status:up"),
        { timeoutMs: 10_000, intervalMs: 50, what: `the replica on port ${replica} to sync` },
      );
    } finally {
      replicaProbe.disconnect();
    }
    for (const port of sentinelPorts) spawnServer(port, [confFor(port), "--sentinel"]);
    // Until a sentinel has seen the replica, a failover would find none to promote; until the
    // sentinels have found each other (through the primary, every 2 s), none can win a vote.
    const probes = sentinelPorts.map((port) => (port === sentinel ? probe : connect(port)));
    try {
      await waitFor(
        async () => {
          for (const each of probes) {
            if (!(await ready(each))) return false;
            const replicas = (await each.call("SENTINEL", "REPLICAS", TEST_SENTINEL_NAME)) as string[][];
            const seen = replicas.some((fields) => {
              const info = Object.fromEntries(
                fields.flatMap((field, i) => (i % 2 === 0 ? [[field, fields[i + 1]]] : [])),
              );
              return info.port === String(replica) && info.flags === "slave" && info["master-link-status"] === "ok";
            });
            const others = (await each.call("SENTINEL", "SENTINELS", TEST_SENTINEL_NAME)) as unknown[];
            if (!seen || others.length < count - 1) return false;
          }
          return true;
        },
        { timeoutMs: 20_000, intervalMs: 100, what: `the sentinels on ports ${sentinelPorts.join(", ")} to be ready` },
      );
    } finally {
      for (const each of probes) if (each !== probe) each.disconnect();
    }
  } catch (error) {
    probe.disconnect();
    await stop();
    throw error;
  }
  return {
    sentinels: sentinelPorts.map((port) => ({ host: "127.0.0.1", port })),
    name: TEST_SENTINEL_NAME,
    ports: [primary, replica],
    startMs: Math.round(performance.now() - started),
    primaryPort,
    async kill(port) {
      const server = children.get(port);
      if (!server) throw new Error(`no server of this sentinel setup on port ${port}`);
      server.child.kill("SIGKILL");
      await server.exited;
    },
    async stop() {
      probe.disconnect();
      await stop();
    },
  };
}
