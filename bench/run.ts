/**
 * `npm run bench [-- scenario ...]`: runs the named scenarios (all by default) against the
 * production build, prints one row each, and writes bench/results/<scenario>.json.
 * Durations and sizes can be shortened for a quick look: BENCH_SECONDS, BENCH_ROOMS, BENCH_IDLE_ROOMS.
 * BENCH_RECEIPTS=on makes every reader acknowledge what it receives, as browsers do.
 * BENCH_WORKERS=2 runs each instance with two worker processes (WEB_CONCURRENCY) and writes
 * bench/results/<scenario>-2-workers.json; `idle`, which measures streams per process, always runs one,
 * and so does `direct`, whose accounts live in the instance's memory.
 * `direct` takes BENCH_DIRECT_PEOPLE (accounts and chats, default 500), BENCH_DIRECT_TABS (idle tabs)
 * and BENCH_DIRECT_LISTS=off (no `chat.events` streams open while messages flow); BENCH_STORE=memory
 * runs it on the in-memory store and writes bench/results/direct-memory.json.
 * `peers` (one worker) takes BENCH_SECONDS per leg (default 15), BENCH_PEERS_RATES (default
 * 1000,4000), BENCH_PEERS_ROUNDS (interleaved rounds, default 2), BENCH_PEERS_IDLE_ROOMS (2000) and
 * BENCH_PEERS_RECEIPTS=on (a fourth side: Ephemera's readers acknowledging, as browsers do), and
 * BENCH_PEERS_BEFORE=<another build's server.js> (a side for an earlier build: what a change bought).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { resolve } from "node:path";
import { churn } from "./scenarios/churn";
import { direct } from "./scenarios/direct";
import { idle } from "./scenarios/idle";
import { latency } from "./scenarios/latency";
import { peers } from "./scenarios/peers";
import { redis } from "./scenarios/redis";
import { redisCluster } from "./scenarios/redis-cluster";
import { signIn } from "./scenarios/sign-in";
import { throughput } from "./scenarios/throughput";
import { hostLoopbackMicros, hostReferenceMicros } from "./lib/host-speed";

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const rooms = Number(process.env.BENCH_ROOMS ?? 500);

const SCENARIOS: Record<string, () => Promise<Record<string, unknown>>> = {
  idle: () => idle({ rooms: Number(process.env.BENCH_IDLE_ROOMS ?? 2500) }),
  latency: () => latency({ rooms, seconds, rate: Number(process.env.BENCH_RATE ?? 1000) }),
  throughput: () => throughput({ rooms, seconds: Math.max(5, Math.round(seconds / 3)) }),
  churn: () => churn({ seconds: Math.max(5, Math.round(seconds / 3)) }),
  "cross-instance": () => latency({ instances: 2, rooms, seconds }),
  redis: () => redis(),
  cluster: () => redisCluster({ rooms, seconds, rate: Number(process.env.BENCH_RATE ?? 1000) }),
  "sign-in": () => signIn({ seconds, rate: Number(process.env.BENCH_RATE ?? 400) }),
  direct: () =>
    direct({
      seconds,
      rate: Number(process.env.BENCH_RATE ?? 400),
      people: Number(process.env.BENCH_DIRECT_PEOPLE ?? 500),
      tabs: Number(process.env.BENCH_DIRECT_TABS ?? 500),
      lists: process.env.BENCH_DIRECT_LISTS !== "off",
      store: process.env.BENCH_STORE === "memory" ? "memory" : "redis",
    }),
  peers: () =>
    peers({
      rooms,
      seconds: Number(process.env.BENCH_SECONDS ?? 15),
      rates: (process.env.BENCH_PEERS_RATES ?? "1000,4000").split(",").map(Number),
      rounds: Number(process.env.BENCH_PEERS_ROUNDS ?? 2),
      idleRooms: Number(process.env.BENCH_PEERS_IDLE_ROOMS ?? 2000),
      idleRepeats: Number(process.env.BENCH_PEERS_IDLE_REPEATS ?? 2),
      receipts: process.env.BENCH_PEERS_RECEIPTS === "on",
      before: process.env.BENCH_PEERS_BEFORE || undefined,
    }),
};

const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memoryGB: Math.round(os.totalmem() / 1024 ** 3),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
};

const requested = process.argv.slice(2).filter((name) => !name.startsWith("-"));
const names = requested.length > 0 ? requested : Object.keys(SCENARIOS);
const outDir = resolve(import.meta.dirname, "results");
const requestedWorkers = Number(process.env.BENCH_WORKERS ?? 1);
mkdirSync(outDir, { recursive: true });

for (const name of names) {
  const scenario = SCENARIOS[name];
  if (!scenario) {
    console.error(`unknown scenario ${name}; choose from ${Object.keys(SCENARIOS).join(", ")}`);
    process.exitCode = 1;
    continue;
  }
  const startedAt = new Date().toISOString();
  // This host's speed right before the scenario: it varies through the day, even within a run.
  const referenceMicros = hostReferenceMicros();
  const loopbackMicros = await hostLoopbackMicros();
  const result = await scenario();
  const workers = name === "idle" || name === "direct" || name === "peers" ? 1 : requestedWorkers;
  const store = name === "direct" && process.env.BENCH_STORE === "memory" ? "-memory" : "";
  const suffix = `${workers > 1 ? `-${workers}-workers` : ""}${store}`;
  writeFileSync(
    resolve(outDir, `${name}${suffix}.json`),
    `${JSON.stringify({ scenario: name, startedAt, machine: { ...machine, referenceMicros, loopbackMicros }, workers, result }, null, 2)}\n`,
  );
  console.log(
    `${name.padEnd(15)} ${JSON.stringify({ referenceMicros, loopbackMicros, ...result }, (key, value) => (key === "steps" || key === "commandsPerMessage" ? undefined : value))}`,
  );
}
