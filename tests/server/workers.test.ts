import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import { runAppServerToExit, startAppServer, type AppServer } from "../support/app-server";
import { TEST_SECRET } from "../support/app";
import { opaque } from "../support/opaque";
import { startRedisServer } from "../support/redis-server";
import { Visitor } from "../support/visitor";
import { metricValue } from "../support/metric-value";
import { waitFor } from "../support/wait-for";

const TOKEN = "metrics-token-0123456789";

/** The worker processes of a primary, by pid. */
function workersOf(primary: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(primary)], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Running, not gone and not a zombie waiting for whichever process adopted it to reap it. */
function isAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
}

/** A room created over a connection of its own, as a new visitor's browser would open one. */
function createRoomOnNewConnection(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/api/trpc/room.create?batch=1`,
      { method: "POST", agent: false, headers: { "content-type": "application/json" } },
      (response) => {
        response.resume();
        response.on("end", () =>
          response.statusCode === 200 ? resolve() : reject(new Error(`create: ${response.statusCode}`)),
        );
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify({ 0: { json: {} } }));
  });
}

/** WEB_CONCURRENCY=2: one instance, one port, two worker processes (decision 015). */
describe("an instance with two workers", () => {
  let server: AppServer | undefined;
  const start = async () => {
    server = await startAppServer({
      REDIS_URL: inject("redisUrl"),
      SESSION_SECRET: TEST_SECRET,
      METRICS_TOKEN: TOKEN,
      WEB_CONCURRENCY: "2",
    });
    // Both listening, not merely forked: a worker still loading the app has no signal handlers yet.
    await waitFor(() => server!.output().match(/Ephemera listening/g)?.length === 2, { what: "two workers listening" });
    return server;
  };
  afterEach(async () => {
    await server?.stop(15_000);
    server = undefined;
  });

  it("holds a conversation, and answers a scrape with every worker's figures", async () => {
    const app = await start();
    const scrape = async () => {
      const response = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(200);
      return response.text();
    };
    const before = metricValue(await scrape(), "ephemera_rooms_created_total");
    // Connections are handed to the workers in turn, so these rooms are made by both.
    for (let index = 0; index < 6; index += 1) await createRoomOnNewConnection(app.url);
    expect(metricValue(await scrape(), "ephemera_rooms_created_total")).toBe(before + 6);

    const alice = new Visitor(app.url);
    const bob = new Visitor(app.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    expect((await alice.open(`/room/${roomId}`)).status).toBe(200);
    expect((await bob.open(`/room/${roomId}`)).status).toBe(200);
    const received: RoomEvent[] = [];
    const subscription = bob.trpc.room.events.subscribe({ roomId }, { onData: ({ data }) => received.push(data) });
    await waitFor(() => received.some((event) => event.type === "members"), { what: "Bob's stream to open" });
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("across workers"), clientId: "a-1" });
    await waitFor(() => received.some((event) => event.type === "message"), { what: "delivery" });
    subscription.unsubscribe();
    expect(received.find((event) => event.type === "message")).toMatchObject({
      message: { ciphertext: opaque("across workers"), mine: false },
    });
  });

  it("replaces a worker that dies and keeps serving", async () => {
    const app = await start();
    const [victim, survivor] = workersOf(app.pid);
    process.kill(victim!, "SIGKILL");
    await waitFor(
      () => {
        const now = workersOf(app.pid);
        return now.length === 2 && !now.includes(victim!) && now.includes(survivor!);
      },
      { what: "a replacement worker" },
    );
    await waitFor(() => app.output().includes("worker exited; starting another"), { what: "the replacement logged" });
    for (let index = 0; index < 4; index += 1) await createRoomOnNewConnection(app.url);
  });

  it("drains every worker on SIGTERM and exits cleanly", async () => {
    const app = await start();
    const workers = workersOf(app.pid);
    await app.stop(15_000);
    expect(app.output().match(/shut down cleanly/g)).toHaveLength(3);
    expect(workers.filter(isAlive)).toEqual([]);
  });

  it("stops its workers when the primary is killed, leaving no orphans", async () => {
    const app = await start();
    const workers = workersOf(app.pid);
    await app.kill();
    await waitFor(() => workers.every((pid) => !isAlive(pid)), { what: "the workers to stop" });
  });
});

describe("WEB_CONCURRENCY", () => {
  it("stops the instance, exit code 1, when its workers keep exiting instead of replacing them forever", async () => {
    // Every worker refuses a Redis that writes to disk, so each replacement exits as well.
    const persistent = await startRedisServer({ args: ["--save", "3600 1"] });
    try {
      const result = await runAppServerToExit(
        {
          REDIS_URL: persistent.url,
          SESSION_SECRET: TEST_SECRET,
          REQUIRE_EPHEMERAL_REDIS: "true",
          WEB_CONCURRENCY: "2",
        },
        30_000,
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("workers keep exiting; stopping");
      // The primary's last word says how it ended (a worker it stopped may have shut down cleanly).
      expect(JSON.parse(result.stdout.trim().split("\n").at(-1)!)).toMatchObject({ msg: "shut down", exitCode: 1 });
      expect(result.stdout.match(/worker exited; starting another/g)?.length).toBe(4);
    } finally {
      await persistent.stop();
    }
  });

  it("refuses several workers without Redis, whose rooms would live in one worker's memory", async () => {
    const result = await runAppServerToExit({ WEB_CONCURRENCY: "2" });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "Invalid environment: WEB_CONCURRENCY above 1 needs REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS: without Redis, rooms live in one process's memory",
    ]);
  });
});
