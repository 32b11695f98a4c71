import { Redis } from "ioredis";
import { startRedisCluster } from "../../tests/support/redis-cluster";
import { metric, redisCpuSeconds, startCluster, type Cluster } from "../lib/cluster";
import { drive, openRooms, warmUp, type OpenPairs } from "../lib/conversation";
import { median } from "../lib/stats";
import { commandStats } from "./redis";

interface Side {
  name: "standalone" | "cluster";
  deployment: Cluster;
  /** One admin connection per Redis process (per primary on the Cluster). */
  nodes: Redis[];
  rooms: OpenPairs;
}

/** CPU and command counts of each of the side's Redis processes, and its instances' CPU. */
async function readings(side: Side) {
  const nodes = await Promise.all(
    side.nodes.map(async (node) => ({
      cpu: await redisCpuSeconds(node),
      calls: commandStats(await node.info("commandstats")),
    })),
  );
  const server = (
    await Promise.all(side.deployment.apps.map((app) => metric(app.url, "ephemera_process_cpu_seconds_total")))
  ).reduce((a, b) => a + b, 0);
  return { nodes, server };
}

/** One leg on one side: the drive, and what it cost each Redis process and the instances. */
async function leg(side: Side, rate: number, seconds: number) {
  const before = await readings(side);
  const result = await drive(side.rooms, { rate, seconds });
  const after = await readings(side);
  const sent = Math.max(1, result.sent);
  const perNode = after.nodes.map((node, index) => {
    const previous = before.nodes[index]!;
    const delta = (command: string) => (node.calls[command] ?? 0) - (previous.calls[command] ?? 0);
    return {
      cpuSeconds: node.cpu - previous.cpu,
      // Client round trips are the scripts the app ran; the rest ran inside them.
      scripts: delta("evalsha") + delta("eval"),
      publishes: delta("publish") + delta("spublish"),
    };
  });
  return { result, perNode, serverCpuSeconds: after.server - before.server, sent };
}

const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * The latency scenario on a 3-primary Redis Cluster beside one standalone Redis, in one run: two
 * instances on each (a room's sender on one, its receiver on the other), both deployments up at
 * once and driven in alternating legs (standalone, cluster, standalone, cluster…) so the host's
 * noise falls on both alike. Reports each side's latency and loss, the Cluster's p99 against the
 * standalone's, each primary's share of Redis CPU, and the round trips and publishes per message.
 */
export async function redisCluster({ rooms = 500, rate = 1000, seconds = 30, legs = 4 } = {}) {
  const redisCluster = await startRedisCluster(3);
  const sides: Side[] = [];
  try {
    const standalone = await startCluster(2);
    sides.push({
      name: "standalone",
      deployment: standalone,
      nodes: [standalone.admin],
      rooms: await openRooms(
        standalone.apps.map((app) => app.url),
        rooms,
      ),
    });
    // The deployment helper's own standalone Redis is left idle here: an empty REDIS_URL is none.
    const clustered = await startCluster(2, [], {
      env: { REDIS_URL: "", REDIS_CLUSTER_NODES: redisCluster.nodes.join(",") },
    });
    sides.push({
      name: "cluster",
      deployment: clustered,
      nodes: redisCluster.nodes.map((node) => {
        const [host, port] = node.split(":");
        return new Redis({ host, port: Number(port) });
      }),
      rooms: await openRooms(
        clustered.apps.map((app) => app.url),
        rooms,
      ),
    });
    for (const side of sides) await warmUp(side.rooms);

    const results: Record<Side["name"], Awaited<ReturnType<typeof leg>>[]> = { standalone: [], cluster: [] };
    const legSeconds = Math.max(3, Math.round(seconds / legs));
    for (let index = 0; index < legs; index += 1) {
      for (const side of sides) results[side.name].push(await leg(side, rate, legSeconds));
    }

    const summary = (name: Side["name"]) => {
      const runs = results[name];
      const sent = runs.reduce((sum, run) => sum + run.sent, 0);
      const primaries = runs[0]!.perNode.map((_, node) =>
        runs.reduce((sum, run) => sum + run.perNode[node]!.cpuSeconds, 0),
      );
      const mean = primaries.reduce((a, b) => a + b, 0) / primaries.length;
      return {
        legs: runs.length,
        sent,
        lost: runs.reduce((sum, run) => sum + run.result.lost, 0),
        duplicates: runs.reduce((sum, run) => sum + run.result.duplicates, 0),
        sendErrors: runs.reduce((sum, run) => sum + run.result.sendErrors, 0),
        p50Ms: median(runs.map((run) => run.result.latencyMs.p50)),
        p99Ms: median(runs.map((run) => run.result.latencyMs.p99)),
        serverCpuMicrosPerMessage: Math.round((runs.reduce((sum, run) => sum + run.serverCpuSeconds, 0) / sent) * 1e6),
        redisCpuMicrosPerMessage: round((primaries.reduce((a, b) => a + b, 0) / sent) * 1e6, 1),
        // Each Redis process's CPU against their mean: 1.00 is an even spread.
        redisCpuShareOfMean: primaries.map((cpu) => round(cpu / mean)),
        roundTripsPerMessage: round(
          runs.reduce((sum, run) => sum + run.perNode.reduce((total, node) => total + node.scripts, 0), 0) / sent,
        ),
        publishesPerMessage: round(
          runs.reduce((sum, run) => sum + run.perNode.reduce((total, node) => total + node.publishes, 0), 0) / sent,
        ),
      };
    };
    const standaloneSummary = summary("standalone");
    const clusterSummary = summary("cluster");
    return {
      rooms,
      rate,
      legSeconds,
      standalone: standaloneSummary,
      cluster: clusterSummary,
      clusterToStandalone: {
        p50: round(clusterSummary.p50Ms / standaloneSummary.p50Ms),
        p99: round(clusterSummary.p99Ms / standaloneSummary.p99Ms),
        serverCpuPerMessage: round(
          clusterSummary.serverCpuMicrosPerMessage / standaloneSummary.serverCpuMicrosPerMessage,
        ),
      },
    };
  } finally {
    for (const side of sides) {
      side.rooms.close();
      if (side.name === "cluster") for (const node of side.nodes) node.disconnect();
      await side.deployment.stop();
    }
    await redisCluster.stop();
  }
}
