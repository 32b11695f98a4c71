import { cpuPerMessage, serverView, startCluster } from "../lib/cluster";
import { drive, openRooms, warmUp } from "../lib/conversation";

/** 500 rooms, 1,000 messages/s in all; send → partner receives. Two instances for cross-instance. */
export async function latency({ instances = 1, rooms = 500, rate = 1000, seconds = 30 } = {}) {
  const cluster = await startCluster(instances);
  try {
    const bases = cluster.apps.map((app) => app.url);
    const open = await openRooms(bases, rooms);
    await warmUp(open);
    const result = await cpuPerMessage(cluster, () => drive(open, { rate, seconds }));
    const servers = await Promise.all(cluster.apps.map((app) => serverView(app.url)));
    open.close();
    return { instances, rooms, ...result, servers };
  } finally {
    await cluster.stop();
  }
}
