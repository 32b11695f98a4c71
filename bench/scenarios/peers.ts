import { resolve } from "node:path";
import { Redis } from "ioredis";
import { closeSharedConnections, createRoom, subscribe, visit, type Stream } from "../lib/client";
import { GC_ON_SIGNAL_ARGS, redisCpuSeconds, startCluster } from "../lib/cluster";
import { memoryAfterGc } from "../lib/memory-after-gc";
import { drive, openRooms, warmUp, type OpenPairs } from "../lib/conversation";
import { bytesWrittenBy, cpuSecondsOf } from "../lib/proc-stats";
import { latencyHistogram, median, summarize, type Histogram } from "../lib/stats";
import { connectSocketIo, createSocketIoRoom, openSocketIoRooms } from "../peers/socketio-rooms";
import { startPeer } from "../peers/start-peer";
import { startRedisServer } from "../../tests/support/redis-server";

/**
 * Ephemera beside two references written for the bench (bench/peers/): a Socket.IO 4 chat on the
 * Redis adapter, and a bare node:http server doing Ephemera's own per-message protocol work (the
 * floor). Each is its own process with its own redis-server, started with production's Node
 * flags; all are driven by the same load client, at each rate in turn, in interleaved legs
 * (Ephemera, Socket.IO, floor, Ephemera, …) so the host's noise falls on all alike. Server CPU
 * is read from /proc for all three alike; idle memory is RSS and the live JS heap after a full
 * GC, with and without N idle rooms (2 N streams or sockets) held open.
 */
/**
 * `receipts`: Ephemera again, on other rooms of the same server, its readers acknowledging as
 * browsers do. `before`: another build of Ephemera (an earlier commit's), its own process and
 * Redis, driven in the same legs: what a change bought, measured in one run.
 */
type SideName = "ephemera" | "before" | "receipts" | "socketio" | "floor";

interface Side {
  name: SideName;
  pid: number;
  admin: Redis;
  signal(name: NodeJS.Signals): void;
  openPairs(rooms: number): Promise<OpenPairs<{ roomId: string }>>;
  /** Opens `rooms` idle rooms with both people connected; resolves to their closer. */
  holdIdle(rooms: number): Promise<() => void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const BATCH = 50;

async function inBatches(count: number, open: () => Promise<Array<{ close(): void }>>) {
  const held: Array<{ close(): void }> = [];
  for (let start = 0; start < count; start += BATCH)
    (await Promise.all(Array.from({ length: Math.min(BATCH, count - start) }, open))).forEach((pair) =>
      held.push(...pair),
    );
  return () => held.forEach((connection) => connection.close());
}

/** Idle rooms on Ephemera's protocol (Ephemera itself, and the floor that speaks it). */
function holdStreams(base: string) {
  return (rooms: number) =>
    inBatches(rooms, async () => {
      const roomId = await createRoom(base);
      const [a, b] = [await visit(base, roomId), await visit(base, roomId)];
      const pair: Stream[] = [subscribe(base, a, roomId), subscribe(base, b, roomId)];
      await Promise.all(pair.map((stream) => stream.opened));
      return pair;
    });
}

function holdSockets(base: string) {
  return (rooms: number) =>
    inBatches(rooms, async () => {
      const roomId = await createSocketIoRoom(base);
      return [await connectSocketIo(base, roomId), await connectSocketIo(base, roomId)];
    });
}

/**
 * Server memory per idle stream (or socket), after a full GC, in KB: RSS, the live JS heap, the
 * malloc heap (Node's native objects) and what V8 has committed by space. One reading.
 */
async function idleMemoryOnce(side: Side, rooms: number) {
  const afterGc = () => memoryAfterGc(side.pid, side.signal);
  // Warm the code paths and pools first, as `idle` does.
  (await side.holdIdle(20))();
  await closeSharedConnections();
  await sleep(1000);
  const before = await afterGc();
  const close = await side.holdIdle(rooms);
  // The setup requests' kept-alive connections are server sockets too: not what is measured.
  await closeSharedConnections();
  await sleep(1000);
  const after = await afterGc();
  close();
  await sleep(1000);
  const perStream = (bytes: number) => Math.round((bytes / (rooms * 2) / 1024) * 10) / 10;
  return {
    rssPerStreamKB: perStream(after.rss - before.rss),
    heapPerStreamKB: perStream(after.heapUsed - before.heapUsed),
    mallocHeapPerStreamKB: perStream(after.mallocHeap - before.mallocHeap),
    // Where RSS beyond the live heap comes from: the young generation's size or old space's slack.
    committedPerStreamKB: Object.fromEntries(
      Object.keys(after.committed).map((space) => [
        space,
        perStream(after.committed[space]! - (before.committed[space] ?? 0)),
      ]),
    ),
  };
}

type IdleReading = Awaited<ReturnType<typeof idleMemoryOnce>>;

/**
 * Each side's idle memory, read `repeats` times, interleaved (A B C A B C) as the legs are. The
 * first reading is a process's first N streams: the table's figure, as in every earlier run. The
 * others ("again") open N streams once the first N have closed, in memory they left behind: how a
 * long-running process pays for them, a different figure (Socket.IO's fell from 29 to 10 KB a
 * socket so in one session; Ephemera's from 39 to 15–21), so not pooled with the first.
 */
async function idleMemory(sides: Side[], rooms: number, repeats: number) {
  const readings = new Map<SideName, IdleReading[]>(sides.map((side) => [side.name, []]));
  for (let round = 0; round < repeats; round++)
    for (const side of sides) readings.get(side.name)!.push(await idleMemoryOnce(side, rooms));
  const memory: Partial<Record<SideName, IdleMemory>> = {};
  for (const [name, [first, ...again]] of readings) {
    const middle = (figure: (reading: IdleReading) => number) => Math.round(median(again.map(figure)) * 10) / 10;
    memory[name] = {
      streams: rooms * 2,
      ...first!,
      ...(again.length > 0 && {
        again: {
          readings: again.length,
          rssPerStreamKB: middle((reading) => reading.rssPerStreamKB),
          heapPerStreamKB: middle((reading) => reading.heapPerStreamKB),
          mallocHeapPerStreamKB: middle((reading) => reading.mallocHeapPerStreamKB),
        },
      }),
    };
  }
  return memory;
}

interface Leg {
  deliveredRate: number;
  achievedRate: number;
  p50: number;
  p99: number;
  serverMicrosPerMessage: number;
  /** What the server wrote (responses, events, Redis commands) per message sent. */
  serverBytesPerMessage: number;
}

interface Tally {
  sent: number;
  delivered: number;
  lost: number;
  duplicates: number;
  sendErrors: number;
  overloaded: number;
  serverSeconds: number;
  redisSeconds: number;
  loadSeconds: number;
  histogram: Histogram;
  legs: Leg[];
  firstSendError?: string;
}

async function leg(side: Side, open: OpenPairs<{ roomId: string }>, rate: number, seconds: number, tally: Tally) {
  const [server, redis, load] = [cpuSecondsOf(side.pid), await redisCpuSeconds(side.admin), process.cpuUsage()];
  const written = bytesWrittenBy(side.pid);
  // A saturated side drains its backlog before the next side's leg starts, not during it.
  const result = await drive(open, { rate, seconds, into: tally.histogram, drainMs: 30_000 });
  const serverSeconds = cpuSecondsOf(side.pid) - server;
  tally.serverSeconds += serverSeconds;
  tally.redisSeconds += (await redisCpuSeconds(side.admin)) - redis;
  const loadUsed = process.cpuUsage(load);
  tally.loadSeconds += (loadUsed.user + loadUsed.system) / 1e6;
  tally.sent += result.sent;
  tally.delivered += result.delivered;
  tally.lost += result.lost;
  tally.duplicates += result.duplicates;
  tally.sendErrors += result.sendErrors;
  tally.overloaded += result.overloaded;
  tally.firstSendError ??= result.firstSendError;
  tally.legs.push({
    deliveredRate: result.deliveredRate,
    achievedRate: result.achievedRate,
    p50: result.latencyMs.p50,
    p99: result.latencyMs.p99,
    serverMicrosPerMessage: Math.round((serverSeconds * 1e6) / Math.max(1, result.sent)),
    serverBytesPerMessage: Math.round((bytesWrittenBy(side.pid) - written) / Math.max(1, result.sent)),
  });
  await sleep(1000);
}

function report(tally: Tally) {
  const perMessage = (seconds: number) => Math.round((seconds * 1e6) / Math.max(1, tally.sent));
  const { histogram, legs, ...counts } = tally;
  return {
    cpuMicrosPerMessage: {
      server: perMessage(tally.serverSeconds),
      redis: perMessage(tally.redisSeconds),
      loadGenerator: perMessage(tally.loadSeconds),
    },
    latencyMs: summarize(histogram),
    deliveredRate: Math.round(legs.reduce((sum, one) => sum + one.deliveredRate, 0) / legs.length),
    sent: counts.sent,
    delivered: counts.delivered,
    lost: counts.lost,
    duplicates: counts.duplicates,
    sendErrors: counts.sendErrors,
    overloaded: counts.overloaded,
    firstSendError: counts.firstSendError,
    legs,
  };
}

type Report = ReturnType<typeof report>;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/**
 * Ephemera's CPU per message over the other side's, round by round: the legs of one round run
 * back to back, so a host that is busier for a minute weighs on both figures of a ratio. The
 * median and the range of those ratios say how far one run's overall ratio can be trusted.
 */
function roundRatios(ephemera: Report, other: Report) {
  const each = ephemera.legs.map(
    (leg, round) => leg.serverMicrosPerMessage / other.legs[round]!.serverMicrosPerMessage,
  );
  return { median: ratio(median(each), 1), lowest: ratio(Math.min(...each), 1), highest: ratio(Math.max(...each), 1) };
}

/** Median of one side's legs, for a figure that does not depend on how busy the host was. */
function medianOfLegs(report: Report, pick: (leg: Leg) => number): number {
  return Math.round(median(report.legs.map(pick)));
}

function ratios(ephemera: Report, other: Report) {
  return {
    serverCpuPerMessage: ratio(ephemera.cpuMicrosPerMessage.server, other.cpuMicrosPerMessage.server),
    serverCpuPerMessageByRound: roundRatios(ephemera, other),
    p50: ratio(ephemera.latencyMs.p50, other.latencyMs.p50),
    p99: ratio(ephemera.latencyMs.p99, other.latencyMs.p99),
    deliveredRate: ratio(ephemera.deliveredRate, other.deliveredRate),
  };
}

/**
 * Ephemera as production runs it, one process (its pid is the server's own), on a Redis of its
 * own: this repository's build, or another's `server.js`.
 */
async function ephemeraSide(
  name: SideName,
  stops: Array<() => Promise<void>>,
  serverJs?: string,
): Promise<Side & { base: string }> {
  const entry = serverJs === undefined ? undefined : resolve(serverJs);
  const cluster = await startCluster(1, GC_ON_SIGNAL_ARGS, { workers: 1, entry });
  stops.push(() => cluster.stop());
  const app = cluster.apps[0]!;
  return {
    name,
    base: app.url,
    pid: app.pid,
    admin: cluster.admin,
    signal: (name) => app.signal(name),
    openPairs: (count) => openRooms([app.url], count),
    holdIdle: holdStreams(app.url),
  };
}

export async function peers({
  rooms = 500,
  seconds = 15,
  rates = [1000, 4000],
  rounds = 2,
  idleRooms = 2000,
  idleRepeats = 2,
  receipts = false,
  before,
}: {
  rooms?: number;
  seconds?: number;
  rates?: number[];
  rounds?: number;
  idleRooms?: number;
  /** Idle memory readings per side, interleaved: the first, then the median of the rest ("again"). */
  idleRepeats?: number;
  /** Adds a side: what receipts cost, in the same run. */
  receipts?: boolean;
  /** Adds a side: the build whose `server.js` this is, as the reference for "what it bought". */
  before?: string;
} = {}) {
  const stops: Array<() => Promise<void>> = [];
  const opened: Array<OpenPairs<{ roomId: string }>> = [];
  try {
    const ephemera = await ephemeraSide("ephemera", stops);
    const peerRedis = async (name: SideName, server: string) => {
      const redis = await startRedisServer();
      stops.push(() => redis.stop());
      // BENCH_NODE_ARGS reaches the references too, so a profile of each can be read side by side.
      const extra = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
      const peer = await startPeer(server, { REDIS_URL: redis.url }, [...GC_ON_SIGNAL_ARGS, ...extra]);
      stops.push(() => peer.stop());
      const admin = new Redis(redis.url);
      stops.push(async () => admin.disconnect());
      return { name, pid: peer.pid, admin, signal: peer.signal, base: peer.url };
    };
    const sio = await peerRedis("socketio", "socketio-server");
    const floor = await peerRedis("floor", "floor-server");

    const sides: Side[] = [
      ephemera,
      ...(before ? [await ephemeraSide("before", stops, before)] : []),
      { ...sio, openPairs: (count) => openSocketIoRooms(sio.base, count), holdIdle: holdSockets(sio.base) },
      { ...floor, openPairs: (count) => openRooms([floor.base], count), holdIdle: holdStreams(floor.base) },
    ];

    const memory = await idleMemory(sides, idleRooms, idleRepeats);
    if (receipts)
      sides.splice(1, 0, {
        ...sides[0]!,
        name: "receipts",
        openPairs: (count) => openRooms([ephemera.base], count, { receipts: true }),
      });

    const open = new Map<SideName, OpenPairs<{ roomId: string }>>();
    for (const side of sides) {
      const pairs = await side.openPairs(rooms);
      opened.push(pairs);
      open.set(side.name, pairs);
      await warmUp(pairs);
    }

    const byRate: Record<number, Record<SideName, Report>> = {};
    for (const rate of rates) {
      const tallies = new Map<SideName, Tally>(
        sides.map((side) => [
          side.name,
          {
            sent: 0,
            delivered: 0,
            lost: 0,
            duplicates: 0,
            sendErrors: 0,
            overloaded: 0,
            serverSeconds: 0,
            redisSeconds: 0,
            loadSeconds: 0,
            histogram: latencyHistogram(),
            legs: [],
          },
        ]),
      );
      // A B C A B C: what the host does meanwhile falls on every side alike.
      for (let round = 0; round < rounds; round += 1)
        for (const side of sides) await leg(side, open.get(side.name)!, rate, seconds, tallies.get(side.name)!);
      byRate[rate] = Object.fromEntries(sides.map((side) => [side.name, report(tallies.get(side.name)!)])) as Record<
        SideName,
        Report
      >;
    }

    const result = {
      rooms,
      seconds,
      rounds,
      rates: byRate,
      memory,
      ratios: {
        ...Object.fromEntries(
          rates.map((rate) => [
            rate,
            {
              vsSocketIo: ratios(byRate[rate]!.ephemera, byRate[rate]!.socketio),
              vsFloor: ratios(byRate[rate]!.ephemera, byRate[rate]!.floor),
              ...(before && { vsBefore: ratios(byRate[rate]!.ephemera, byRate[rate]!.before) }),
              ...(receipts && {
                receiptsVsSocketIo: ratios(byRate[rate]!.receipts, byRate[rate]!.socketio),
                receiptsVsFloor: ratios(byRate[rate]!.receipts, byRate[rate]!.floor),
              }),
            },
          ]),
        ),
        idleStreamMemory: memoryRatios(memory, "rssPerStreamKB"),
        idleStreamHeap: memoryRatios(memory, "heapPerStreamKB"),
        idleStreamMallocHeap: memoryRatios(memory, "mallocHeapPerStreamKB"),
        ...(memory.ephemera!.again && {
          idleStreamMemoryAgain: memoryRatios(memory, "rssPerStreamKB", (side) => side.again),
        }),
      },
    };
    console.log(table(result));
    return result;
  } finally {
    opened.forEach((pairs) => pairs.close());
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}

type IdleFigure = "rssPerStreamKB" | "heapPerStreamKB" | "mallocHeapPerStreamKB";

interface IdleMemory extends IdleReading {
  streams: number;
  /** The median of the readings after the first, when there were any. */
  again?: { readings: number } & Record<IdleFigure, number>;
}

/** Which of a side's idle readings a figure comes from: the first (the default) or `again`. */
type IdleReadingOf = (memory: IdleMemory) => Record<IdleFigure, number> | undefined;
const firstReading: IdleReadingOf = (memory) => memory;

function idleFigureOf(memory: IdleMemory | undefined, figure: IdleFigure, read: IdleReadingOf) {
  return memory && read(memory)?.[figure];
}

function memoryRatios(
  memory: Partial<Record<SideName, IdleMemory>>,
  figure: IdleFigure,
  read: IdleReadingOf = firstReading,
) {
  const of = (side: IdleMemory | undefined) => idleFigureOf(side, figure, read) ?? 0;
  const ephemera = of(memory.ephemera);
  return {
    ...(memory.before && { vsBefore: ratio(ephemera, of(memory.before)) }),
    vsSocketIo: ratio(ephemera, of(memory.socketio)),
    vsFloor: ratio(ephemera, of(memory.floor)),
  };
}

/** The README's table, from this run; ratios are Ephemera's (with receipts on too, when run). */
function table(result: {
  rates: Record<number, Partial<Record<SideName, Report>>>;
  memory: Partial<Record<SideName, IdleMemory>>;
}): string {
  const withReceipts = Object.values(result.rates).some((reports) => reports.receipts);
  const withBefore = Object.values(result.rates).some((reports) => reports.before);
  const ours: SideName[] = withReceipts ? ["ephemera", "receipts"] : ["ephemera"];
  const columns: SideName[] = [...ours, ...(withBefore ? (["before"] as const) : []), "socketio", "floor"];
  const titles: Record<SideName, string> = {
    ephemera: "Ephemera",
    before: "Ephemera, earlier build",
    receipts: "Ephemera, receipts on",
    socketio: "Socket.IO",
    floor: "floor",
  };
  const ratioTitles = [
    ...(withBefore ? ["Ephemera ÷ earlier build"] : []),
    ...ours.flatMap((side) => [`${titles[side]} ÷ Socket.IO`, `${titles[side]} ÷ floor`]),
  ];
  const rows = [
    `| | ${[...columns.map((side) => titles[side]), ...ratioTitles].join(" | ")} |`,
    `| --- |${" --: |".repeat(columns.length + ratioTitles.length)}`,
  ];
  // A figure that is nothing on the other side (a socket that adds no malloc heap) has no ratio.
  const times = (a: number, b: number) => (b > 0 ? `${ratio(a, b)}×` : "—");
  const line = (label: string, values: Partial<Record<SideName, number | string>>) => {
    const cells = columns.map((side) => String(values[side] ?? "—"));
    const beforeCell = withBefore
      ? [typeof values.ephemera === "number" ? times(values.ephemera, values.before as number) : ""]
      : [];
    const ratioCells = ours.flatMap((side) =>
      typeof values[side] === "number"
        ? [
            times(values[side] as number, values.socketio as number),
            times(values[side] as number, values.floor as number),
          ]
        : ["", ""],
    );
    rows.push(`| ${label} | ${[...cells, ...beforeCell, ...ratioCells].join(" | ")} |`);
  };
  for (const rate of Object.keys(result.rates).map(Number)) {
    const at = `${rate.toLocaleString("en")}/s`;
    const reports = result.rates[rate]!;
    const each = (pick: (report: Report) => number | string) =>
      Object.fromEntries(columns.map((side) => [side, pick(reports[side]!)]));
    line(
      `${at}: server CPU per message (µs)`,
      each((r) => r.cpuMicrosPerMessage.server),
    );
    line(
      `${at}: p50 (ms)`,
      each((r) => r.latencyMs.p50),
    );
    line(
      `${at}: p99 (ms)`,
      each((r) => r.latencyMs.p99),
    );
    line(
      `${at}: delivered/s`,
      each((r) => r.deliveredRate),
    );
    rows.push(
      `| ${at}: server CPU per message, each round's ratio: median (lowest–highest) |${" |".repeat(columns.length)} ${[
        ...(withBefore ? [reports.before!] : []),
        ...ours.flatMap((side) => (side === "ephemera" ? [reports.socketio!, reports.floor!] : [])),
      ]
        .map((other) => {
          const { median, lowest, highest } = roundRatios(reports.ephemera!, other);
          return `${median}× (${lowest}–${highest})`;
        })
        .join(" | ")} |${withReceipts ? " |".repeat(2) : ""}`,
    );
    line(
      `${at}: bytes written per message`,
      each((r) => medianOfLegs(r, (leg) => leg.serverBytesPerMessage)),
    );
    line(
      `${at}: Redis CPU per message (µs)`,
      each((r) => r.cpuMicrosPerMessage.redis),
    );
    line(
      `${at}: load generator CPU per message (µs)`,
      each((r) => r.cpuMicrosPerMessage.loadGenerator),
    );
    const loss = (r: Report) =>
      `${r.lost} lost, ${r.duplicates} doubled, ${r.sendErrors + r.overloaded} not sent of ${r.sent + r.sendErrors + r.overloaded}`;
    rows.push(
      `| ${at}: lost / doubled | ${columns.map((side) => loss(reports[side]!)).join(" | ")} |${" |".repeat(ratioTitles.length)}`,
    );
  }
  const idle = (figure: IdleFigure, read: IdleReadingOf = firstReading) => {
    const of = (side: SideName) => idleFigureOf(result.memory[side], figure, read);
    return { ephemera: of("ephemera"), before: of("before"), socketio: of("socketio"), floor: of("floor") };
  };
  line("idle stream, RSS after a full GC (KB)", idle("rssPerStreamKB"));
  line("idle stream, live JS heap after a full GC (KB)", idle("heapPerStreamKB"));
  line("idle stream, malloc heap after a full GC (KB)", idle("mallocHeapPerStreamKB"));
  const again = result.memory.ephemera!.again;
  if (again) {
    const title = `idle stream again, once the first have closed (KB; median of ${again.readings})`;
    line(
      `${title}: RSS`,
      idle("rssPerStreamKB", (m) => m.again),
    );
    line(
      `${title}: malloc heap`,
      idle("mallocHeapPerStreamKB", (m) => m.again),
    );
  }
  return rows.join("\n");
}
