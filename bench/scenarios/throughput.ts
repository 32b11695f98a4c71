import { cpuPerMessage, startCluster } from "../lib/cluster";
import { drive, openRooms, warmUp } from "../lib/conversation";

const P99_LIMIT_MS = 250;

/** Raises the rate until p99 passes 250 ms or anything is lost; reports the highest rate that held. */
export async function throughput({
  rooms = 500,
  rates = [250, 500, 1000, 2000, 3000, 3500, 4000, 4500, 5000, 6000, 8000],
  seconds = 10,
} = {}) {
  const cluster = await startCluster(1);
  const steps = [];
  let held = 0;
  try {
    const bases = cluster.apps.map((app) => app.url);
    const open = await openRooms(bases, rooms);
    await warmUp(open);
    for (const rate of rates) {
      const step = await cpuPerMessage(cluster, () => drive(open, { rate, seconds }));
      const ok =
        step.latencyMs.p99 <= P99_LIMIT_MS && step.lost === 0 && step.sendErrors === 0 && step.overloaded === 0;
      steps.push({ ...step, held: ok });
      if (!ok) break;
      held = step.achievedRate;
    }
    open.close();
    return { rooms, heldRate: held, p99LimitMs: P99_LIMIT_MS, steps };
  } finally {
    await cluster.stop();
  }
}
