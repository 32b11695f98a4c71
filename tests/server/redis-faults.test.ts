import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RedisRoomStore } from "~/.server/rooms/redis-store";
import { roomEventStream } from "~/.server/rooms/room-event-stream";
import { startAppServer, runAppServerToExit } from "../support/app-server";
import { TEST_SECRET } from "../support/app";
import { startRedisServer, type TestRedis } from "../support/redis-server";
import { opaque } from "../support/opaque";
import { collect, createRoom } from "../support/stores";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

describe("a dropped Redis subscription", () => {
  // Its own Redis: cutting every pub/sub connection must not disturb suites running alongside.
  let redis: TestRedis;
  const stores: RedisRoomStore[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await redis.stop();
  });

  it("backfills what was published while the subscriber was away, once each, and the partner's keys", async () => {
    const [listening, sending] = [new RedisRoomStore(redis.url), new RedisRoomStore(redis.url)];
    stores.push(listening, sending);
    const admin = new Redis(redis.url);
    try {
      const roomId = await createRoom(listening);
      const controller = new AbortController();
      const stream = collect(roomEventStream(listening, { roomId, seat: 1, afterId: 0, ttlMs: 60_000, signal: controller.signal }));
      const messages = () => stream.items.filter((event) => event.type === "message").map((event) => event.id);
      await sending.appendMessage(roomId, { author: 1, ciphertext: "before" });
      await waitFor(() => messages().length === 1, { what: "the first message" });

      // Cut every pub/sub connection, then publish at once: nobody is subscribed to hear it.
      await admin.client("KILL", "TYPE", "pubsub");
      for (let index = 0; index < 5; index += 1) {
        await sending.appendMessage(roomId, { author: 1, ciphertext: `during ${index}` });
      }
      await sending.publishKeys(roomId, 2, "x25519.published-while-away");
      await waitFor(() => messages().length === 6, { what: "the backfill", timeoutMs: 10_000 });
      // State is re-read on resync: keys published meanwhile arrive although their event was lost.
      await waitFor(() => stream.items.some((event) => event.type === "partner-keys"), { what: "the partner's keys" });
      expect(stream.items.filter((event) => event.type === "partner-keys")).toEqual([
        { id: 6, type: "partner-keys", publicKeys: "x25519.published-while-away" },
      ]);
      await sending.appendMessage(roomId, { author: 1, ciphertext: "after" });
      await waitFor(() => messages().length === 7, { what: "live delivery after the reconnect" });
      expect(messages()).toEqual([1, 2, 3, 4, 5, 6, 7]);
      controller.abort();
      await stream.finished;
    } finally {
      await admin.quit();
    }
  });
});

describe("Redis going down and coming back", () => {
  it("answers 503 while it is down, stays up, and recovers on its own", async () => {
    let redis = await startRedisServer();
    const server = await startAppServer({ REDIS_URL: redis.url, SESSION_SECRET: TEST_SECRET });
    try {
      const alice = new Visitor(server.url);
      const { roomId } = await alice.trpc.room.create.mutate({});
      await alice.open(`/room/${roomId}`);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

      await redis.stop();
      await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 503, { what: "not ready" });
      const started = Date.now();
      const duringTheOutage = opaque("during the outage");
      const error = await alice.trpc.message.send.mutate({ roomId, ciphertext: duringTheOutage, clientId: "a-outage" }).then(
        () => null,
        (caught: { data?: { code?: string; httpStatus?: number }; message: string }) => caught,
      );
      expect(Date.now() - started).toBeLessThan(3000);
      expect(error?.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
      expect(error?.message).toMatch(/cannot reach its message store.*try again/);
      const page = await new Visitor(server.url).open(`/room/${roomId}`);
      expect(page.status).toBe(503);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

      redis = await startRedisServer({ port: redis.port });
      await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 200, { what: "ready again", timeoutMs: 10_000 });
      // A Redis that keeps nothing on disk comes back empty: the old room is gone, new ones work.
      const { roomId: fresh } = await alice.trpc.room.create.mutate({});
      await alice.open(`/room/${fresh}`);
      expect(await alice.trpc.message.send.mutate({ roomId: fresh, ciphertext: opaque("after"), clientId: "a-after" })).toMatchObject({ id: 1 });
      expect(server.output()).toContain("Redis connection error");
      expect(server.output()).not.toContain(duringTheOutage);
    } finally {
      await server.stop();
      await redis.stop();
    }
  });
});

describe("Redis that writes to disk", () => {
  it("is reported loudly at startup, and refused when REQUIRE_EPHEMERAL_REDIS=true", async () => {
    const persistent = await startRedisServer({ args: ["--save", "3600 1"] });
    try {
      const server = await startAppServer({ REDIS_URL: persistent.url, SESSION_SECRET: TEST_SECRET });
      await waitFor(() => server.output().includes("REDIS PERSISTS TO DISK"), { what: "the warning" });
      expect(server.output()).toContain('save \\"3600 1\\"');
      await server.stop();

      const refused = await runAppServerToExit({ REDIS_URL: persistent.url, SESSION_SECRET: TEST_SECRET, REQUIRE_EPHEMERAL_REDIS: "true" });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain("refusing to start");
    } finally {
      await persistent.stop();
    }
  });

  it("is confirmed as ephemeral when it is", async () => {
    const server = await startAppServer({ REDIS_URL: inject("redisUrl"), SESSION_SECRET: TEST_SECRET, REQUIRE_EPHEMERAL_REDIS: "true" });
    try {
      await waitFor(() => server.output().includes("Redis persists nothing to disk"), { what: "the confirmation" });
    } finally {
      await server.stop();
    }
  });
});
