import { performance } from "node:perf_hooks";
import { createRoom, subscribe, visit } from "../lib/client";
import { GC_ON_SIGNAL_ARGS, memoryAfterGc as afterGc, memoryOf, metric, startCluster } from "../lib/cluster";
import { holdStreams } from "../lib/hold-streams";

/**
 * N rooms with both event streams open and nothing said: server memory per open stream, and CPU
 * while idle (keep-alive pings included). Streams per process are capped by the file-descriptor
 * limit (`ulimit -n`): each holds a socket in the server, and another in one of the stream-holder
 * processes that open them (so the server, not the load generator, is what reaches the limit).
 */
export async function idle({ rooms = 2500, idleSeconds = 20 } = {}) {
  // One worker whatever BENCH_WORKERS says: the target is streams per process.
  const cluster = await startCluster(1, GC_ON_SIGNAL_ARGS, { workers: 1 });
  const app = cluster.apps[0]!;
  const base = app.url;
  const memory = () => memoryOf(base);
  /** Memory right after a full GC: what the open streams hold, without uncollected garbage. */
  const memoryAfterGc = () => afterGc(app);
  let held: Awaited<ReturnType<typeof holdStreams>> | undefined;
  try {
    // Warm the server up (code paths, JIT, pools) before the baseline.
    for (let index = 0; index < 20; index += 1) {
      const roomId = await createRoom(base);
      const stream = subscribe(base, await visit(base, roomId), roomId);
      await stream.opened;
      stream.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = await memoryAfterGc();

    const opening = performance.now();
    held = await holdStreams(base, rooms);
    const openSeconds = (performance.now() - opening) / 1000;
    const open = await metric(base, "ephemera_open_event_streams");
    // How close the server came to its file-descriptor limit: one per stream, plus its own.
    const fileDescriptors = {
      open: await metric(base, "ephemera_process_open_fds"),
      limit: await metric(base, "ephemera_process_max_fds"),
    };

    await new Promise((resolve) => setTimeout(resolve, 3000));
    const cpuBefore = await metric(base, "ephemera_process_cpu_seconds_total");
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const cpuAfter = await metric(base, "ephemera_process_cpu_seconds_total");
    const after = await memory();
    const afterGc = await memoryAfterGc();
    const perStream = (bytes: number) => Math.round((bytes / open / 1024) * 10) / 10;

    return {
      rooms,
      openStreams: open,
      openSeconds: Math.round(openSeconds * 10) / 10,
      fileDescriptors,
      // As the process stands after the idle period, garbage included (it varies run to run).
      rssPerStreamKB: perStream(after.rss - before.rss),
      heapPerStreamKB: perStream(after.heap - before.heap),
      // After a full GC: what each open stream costs.
      rssPerStreamAfterGcKB: perStream(afterGc.rss - before.rss),
      heapPerStreamAfterGcKB: perStream(afterGc.heap - before.heap),
      heapCommittedPerStreamAfterGcKB: perStream(afterGc.heapCommitted - before.heapCommitted),
      rssTotalMB: Math.round(after.rss / 1024 / 1024),
      idleCpuPercent: Math.round(((cpuAfter - cpuBefore) / idleSeconds) * 1000) / 10,
    };
  } finally {
    await held?.close();
    await cluster.stop();
  }
}
