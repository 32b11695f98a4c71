import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createRoom, subscribe, visit, type Stream } from "../lib/client";
import { metric, startCluster } from "../lib/cluster";

const GC_ON_SIGNAL = resolve(import.meta.dirname, "../lib/gc-on-signal.cjs");

/**
 * N rooms with both event streams open and nothing said: server memory per open stream, and CPU
 * while idle (keep-alive pings included). Streams per process are capped by the file-descriptor
 * limit (`ulimit -n`): each stream holds one socket in the server and one in this load process.
 */
export async function idle({ rooms = 2500, idleSeconds = 20 } = {}) {
  const cluster = await startCluster(1, ["--expose-gc", "--require", GC_ON_SIGNAL]);
  const app = cluster.apps[0]!;
  const base = app.url;
  const memory = async () => ({
    rss: await metric(base, "ephemera_process_resident_memory_bytes"),
    heap: await metric(base, "ephemera_nodejs_heap_size_used_bytes"),
    // What V8 has reserved for its heap, used or not: the gap to `heap` is fragmentation.
    heapCommitted: await metric(base, "ephemera_nodejs_heap_size_total_bytes"),
  });
  /** Memory right after a full GC: what the open streams hold, without uncollected garbage. */
  const memoryAfterGc = async () => {
    app.signal("SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return memory();
  };
  const streams: Stream[] = [];
  try {
    // Warm the server up (code paths, JIT, pools) before the baseline.
    for (let index = 0; index < 20; index += 1) {
      const roomId = await createRoom(base);
      const stream = subscribe(base, await visit(base, roomId), roomId, () => {});
      await stream.opened;
      stream.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = await memoryAfterGc();

    const opening = performance.now();
    const batch = 100;
    for (let start = 0; start < rooms; start += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, rooms - start) }, async () => {
          const roomId = await createRoom(base);
          const [a, b] = [await visit(base, roomId), await visit(base, roomId)];
          const pair = [subscribe(base, a, roomId, () => {}), subscribe(base, b, roomId, () => {})];
          await Promise.all(pair.map((stream) => stream.opened));
          streams.push(...pair);
        }),
      );
    }
    const openSeconds = (performance.now() - opening) / 1000;
    const open = await metric(base, "ephemera_open_event_streams");

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
    streams.forEach((stream) => stream.close());
    await cluster.stop();
  }
}
