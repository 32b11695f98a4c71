import { performance } from "node:perf_hooks";
import { createRoom, navigateToRoom, subscribe, visit } from "../lib/client";
import { metric, redisCpuSeconds, startCluster } from "../lib/cluster";
import { latencyHistogram, summarize } from "../lib/stats";

/**
 * One room as two browsers make it: the creator creates it and navigates to it client-side (the
 * loader's data), the partner opens the shared link (a document), and each room page then does
 * what it does on arrival (`openRoomPage`).
 */
async function roomLifecycle(base: string): Promise<void> {
  const roomId = await createRoom(base);
  await Promise.all([
    navigateToRoom(base, roomId).then((cookie) => openRoomPage(base, cookie, roomId)),
    visit(base, roomId).then((cookie) => openRoomPage(base, cookie, roomId)),
  ]);
}

/**
 * What a room page requests once it has its data: its event stream, here until the first event.
 * (It used to query the room's time left as well; the page's data carries it now.)
 */
async function openRoomPage(base: string, cookie: string, roomId: string): Promise<void> {
  const stream = subscribe(base, cookie, roomId);
  await stream.opened;
  stream.close();
}

/** Rooms made before anything is measured, a few at a time: a live server has long been warm. */
const WARM_UP_ROOMS = 1000;
const STEP_ROOMS = 600;

/** `work(0)` … `work(total - 1)`, eight at a time. */
async function eightAtATime(total: number, work: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < total) await work(next++);
    }),
  );
}

/**
 * Server CPU per request for each step of a room, one kind of request at a time (eight in
 * flight), in milliseconds: where a room's cost goes. Each step runs on rooms the step before
 * made, so every request does its real work (a visit takes a free seat).
 */
async function serverCpuPerStep(base: string) {
  const serverCpu = () => metric(base, "ephemera_process_cpu_seconds_total");
  const rooms: string[] = [];
  const cookies: string[] = [];
  const step = async (work: (index: number) => Promise<unknown>) => {
    const before = await serverCpu();
    await eightAtATime(STEP_ROOMS, work);
    return Math.round((((await serverCpu()) - before) / STEP_ROOMS) * 1e5) / 100;
  };
  const create = await step(async () => rooms.push(await createRoom(base)));
  const loaderData = await step(async (index) => (cookies[index] = await navigateToRoom(base, rooms[index]!)));
  const document = await step((index) => visit(base, rooms[index]!));
  const stream = await step((index) => openRoomPage(base, cookies[index]!, rooms[index]!));
  return { create, loaderData, document, stream };
}

/** At `rate` rooms/s, after a warm-up: what a room costs a running server, not V8's first compiles. */
export async function churn({ rate = 500, seconds = 10 } = {}) {
  const cluster = await startCluster(1);
  const base = cluster.apps[0]!.url;
  const histogram = latencyHistogram();
  let done = 0;
  let failed = 0;
  let firstError: string | undefined;
  try {
    await eightAtATime(WARM_UP_ROOMS, () => roomLifecycle(base));
    const serverCpuMsPerRequest = await serverCpuPerStep(base);
    const [serverCpuBefore, redisCpuBefore, loadCpuBefore] = [
      await metric(base, "ephemera_process_cpu_seconds_total"),
      await redisCpuSeconds(cluster.admin),
      process.cpuUsage(),
    ];
    const started = performance.now();
    const total = rate * seconds;
    const pending: Promise<void>[] = [];
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
        for (; next < due; next += 1) {
          const opStart = performance.now();
          pending.push(
            roomLifecycle(base).then(
              () => {
                done += 1;
                histogram.recordValue(Math.round((performance.now() - opStart) * 1000));
              },
              (error: unknown) => {
                failed += 1;
                firstError ??= String(error).slice(0, 200);
              },
            ),
          );
        }
        if (next >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 2);
    });
    await Promise.all(pending);
    const elapsed = (performance.now() - started) / 1000;
    const serverCpu = (await metric(base, "ephemera_process_cpu_seconds_total")) - serverCpuBefore;
    const redisCpu = (await redisCpuSeconds(cluster.admin)) - redisCpuBefore;
    const loadCpu = process.cpuUsage(loadCpuBefore);
    // Which side is busy. The server can pass 100 %: zlib compresses on libuv's worker threads.
    const cpuPercent = {
      server: Math.round((serverCpu / elapsed) * 100),
      redis: Math.round((redisCpu / elapsed) * 100),
      loadGenerator: Math.round(((loadCpu.user + loadCpu.system) / 1e6 / elapsed) * 100),
    };
    return {
      cpuPercent,
      // Steadier than the rate on a shared machine: what a room costs the server.
      serverCpuMsPerRoom: Math.round((serverCpu / Math.max(1, done)) * 1e4) / 10,
      serverCpuMsPerRequest,
      targetRate: rate,
      seconds,
      completed: done,
      failed,
      firstError,
      achievedRate: Math.round(done / elapsed),
      latencyMs: summarize(histogram),
    };
  } finally {
    await cluster.stop();
  }
}
