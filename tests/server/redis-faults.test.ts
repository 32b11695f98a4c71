import { Redis } from "ioredis";
import { nanoid } from "nanoid";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import type { RedisRoomStore } from "~/.server/rooms/redis-store";
import { StoreFullError, StoreUnavailableError } from "~/.server/store-errors";
import { roomEventStream } from "~/.server/rooms/room-event-stream";
import { startAppServer, runAppServerToExit, type AppServer } from "../support/app-server";
import { TEST_SECRET } from "../support/app";
import { startRedisServer, type TestRedis } from "../support/redis-server";
import { opaque } from "../support/opaque";
import { metricValue } from "../support/metric-value";
import { collect, createRoom, redisRoomStore, sendAs } from "../support/stores";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

/** A member's open `room.events` stream: what arrives, and any error. */
function watchRoom(visitor: Visitor, roomId: string) {
  const events: RoomEvent[] = [];
  const errors: unknown[] = [];
  const subscription = visitor.trpc.room.events.subscribe(
    { roomId },
    { onData: ({ data }: { data: RoomEvent }) => events.push(data), onError: (error) => errors.push(error) },
  );
  return { events, errors, subscription };
}

/** Waits for a watched stream to end as lost: `destroyed` for reason `lost`, and no error. */
async function expectEndedAsLost({ events, errors, subscription }: ReturnType<typeof watchRoom>) {
  await waitFor(() => events.at(-1)?.type === "destroyed", { what: "the stream's ending", timeoutMs: 10_000 });
  expect(events.at(-1)).toEqual({ type: "destroyed", reason: "lost" });
  expect(errors).toEqual([]);
  subscription.unsubscribe();
}

/**
 * How `request` ended (its value or its error) and how long it took; a test failure when it has
 * not ended after `ms`, so a request hanging on a stalled Redis fails the test instead of holding it.
 */
async function answeredWithin<T>(ms: number, request: () => Promise<T>) {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    request().then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error }),
    ),
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ms);
    }),
  ]);
  clearTimeout(timer);
  if (!outcome) throw new Error(`no answer within ${ms} ms`);
  return { ...outcome, elapsedMs: Date.now() - started };
}

const METRICS_TOKEN = "metrics-token-0123456789";

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
    const [listening, sending] = [redisRoomStore(redis.url), redisRoomStore(redis.url)];
    stores.push(listening, sending);
    const admin = new Redis(redis.url);
    try {
      const roomId = await createRoom(listening);
      await listening.join(roomId, "alice");
      const controller = new AbortController();
      const stream = collect(
        roomEventStream(listening, { roomId, seat: 1, afterId: 0, ttlMs: 60_000, signal: controller.signal }),
      );
      const messages = () => stream.items.filter((event) => event.type === "message").map((event) => event.id);
      await sendAs(sending, roomId, "alice", "before");
      await waitFor(() => messages().length === 1, { what: "the first message" });

      // Cut every pub/sub connection, then publish at once: nobody is subscribed to hear it.
      await admin.client("KILL", "TYPE", "pubsub");
      for (let index = 0; index < 5; index += 1) {
        await sendAs(sending, roomId, "alice", `during ${index}`);
      }
      await sending.publishKeys(roomId, 2, "x25519.published-while-away");
      await waitFor(() => messages().length === 6, { what: "the backfill", timeoutMs: 10_000 });
      // State is re-read on resync: keys published meanwhile arrive although their event was lost.
      await waitFor(() => stream.items.some((event) => event.type === "partner-keys"), { what: "the partner's keys" });
      expect(stream.items.filter((event) => event.type === "partner-keys")).toEqual([
        { id: 6, type: "partner-keys", publicKeys: "x25519.published-while-away" },
      ]);
      await sendAs(sending, roomId, "alice", "after");
      await waitFor(() => messages().length === 7, { what: "live delivery after the reconnect" });
      expect(messages()).toEqual([1, 2, 3, 4, 5, 6, 7]);
      controller.abort();
      await stream.finished;
    } finally {
      await admin.quit();
    }
  });

  it("ends a stream whose room was destroyed while the subscriber was away with `destroyed`, as it was", async () => {
    const [listening, destroying] = [redisRoomStore(redis.url), redisRoomStore(redis.url)];
    stores.push(listening, destroying);
    const admin = new Redis(redis.url);
    try {
      const roomId = await createRoom(listening);
      const stream = collect(
        roomEventStream(listening, {
          roomId,
          seat: 1,
          afterId: 0,
          ttlMs: 60_000,
          signal: new AbortController().signal,
        }),
      );
      await waitFor(() => stream.items.some((event) => event.type === "members"), { what: "the stream to open" });
      // The `destroyed` event is published while nobody listens: the stream learns of the end
      // when it re-reads, and must still tell a destroyed room from a lost one.
      await admin.client("KILL", "TYPE", "pubsub");
      expect(await destroying.destroy(roomId)).toBe(true);
      await stream.finished;
      expect(stream.items.at(-1)).toEqual({ id: 1, type: "destroyed" });
    } finally {
      await admin.quit();
    }
  });

  it("ends a stream whose room's keys vanished (deleted, flushed, evicted) with `destroyed` for reason `lost`", async () => {
    const store = redisRoomStore(redis.url);
    stores.push(store);
    const admin = new Redis(redis.url);
    try {
      const roomId = await createRoom(store);
      await store.join(roomId, "alice");
      await sendAs(store, roomId, "alice", "kept until the keys went");
      const stream = collect(
        roomEventStream(store, { roomId, seat: 1, afterId: 0, ttlMs: 60_000, signal: new AbortController().signal }),
      );
      await waitFor(() => stream.items.some((event) => event.type === "members"), { what: "the stream to open" });
      await admin.del(...(await admin.keys(`room:{${roomId}}:*`)));
      await waitFor(() => stream.done, { what: "the stream to end", timeoutMs: 10_000 });
      expect(stream.items.at(-1)).toEqual({ id: 2, type: "destroyed", reason: "lost" });
    } finally {
      await admin.quit();
    }
  });
});

describe("the Redis store when Redis stalls or fills up", () => {
  let redis: TestRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    process.kill(redis.pid, "SIGCONT");
    await admin.quit();
    await redis.stop();
  });

  it("fails a command Redis does not answer after the command timeout; the send ran later, and its retry is stored once", async () => {
    const store = redisRoomStore(redis.url, { commandTimeoutMs: 300 });
    try {
      const roomId = await createRoom(store);
      await store.join(roomId, "alice");
      process.kill(redis.pid, "SIGSTOP");
      let failure: unknown;
      const started = Date.now();
      try {
        failure = await store
          .appendMemberMessage(roomId, "alice", { ciphertext: "stalled", clientId: "c-stalled" })
          .catch((error: unknown) => error);
      } finally {
        process.kill(redis.pid, "SIGCONT");
      }
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(1500);
      const retried = await store.appendMemberMessage(roomId, "alice", {
        ciphertext: "stalled, again",
        clientId: "c-stalled",
      });
      expect(retried).toMatchObject({ status: "duplicate", message: { id: 1, ciphertext: "stalled" } });
      expect((await store.messagesAfter(roomId, 0))?.map((message) => message.clientId)).toEqual(["c-stalled"]);
    } finally {
      await store.close();
    }
  });

  it("turns Redis refusing writes at maxmemory into StoreFullError, still reads, and still destroys", async () => {
    const store = redisRoomStore(redis.url);
    try {
      const roomId = await createRoom(store);
      await store.join(roomId, "alice");
      await store.appendMemberMessage(roomId, "alice", { ciphertext: "before it filled", clientId: "c-1" });
      await fillRedis(admin);
      try {
        await expect(createRoom(store)).rejects.toBeInstanceOf(StoreFullError);
        await expect(store.join(roomId, "bob")).rejects.toBeInstanceOf(StoreFullError);
        await expect(
          store.appendMemberMessage(roomId, "alice", { ciphertext: "full", clientId: "c-2" }),
        ).rejects.toBeInstanceOf(StoreFullError);
        await expect(store.putImage(roomId, "alice", "image-full", new Uint8Array(64))).rejects.toBeInstanceOf(
          StoreFullError,
        );
        await expect(store.ping()).rejects.toBeInstanceOf(StoreFullError);
        // What is stored can still be read, and a room can still be destroyed (which frees memory).
        expect((await store.messagesAfter(roomId, 0))?.map((message) => message.ciphertext)).toEqual([
          "before it filled",
        ]);
        expect(await store.memberStatus(roomId, "alice")).toMatchObject({ status: "member" });
        expect(await store.destroy(roomId)).toBe(true);
        expect(await store.wasEnded(roomId)).toBe(true);
      } finally {
        await admin.config("SET", "maxmemory", "0");
        await admin.del(...(await admin.keys("filler:*")));
      }
      await store.ping();
    } finally {
      await store.close();
    }
  });
});

describe("a stalled Redis (SIGSTOP)", () => {
  it("answers sends and the room page with a retryable 503 within 3 s, and a retried send is stored once", async () => {
    const redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, SESSION_SECRET: TEST_SECRET };
    // With rate limits on (production's default) the limiter's command meets the stall first;
    // with them off the send's own script does, and runs once Redis resumes.
    const servers = await Promise.all([startAppServer(env), startAppServer({ ...env, RATE_LIMITS: "on" })]);
    try {
      const alice = new Visitor(servers[0].url);
      const { roomId } = await alice.trpc.room.create.mutate({});
      await alice.open(`/room/${roomId}`);
      const watched = watchRoom(alice, roomId);
      await waitFor(() => watched.events.some((event) => event.type === "members"), { what: "the stream to open" });
      const sealed = opaque("sent into the stall");

      process.kill(redis.pid, "SIGSTOP");
      try {
        for (const server of servers) {
          const send = await answeredWithin(3000, () =>
            alice.on(server.url).trpc.message.send.mutate({ roomId, ciphertext: sealed, clientId: "a-stalled" }),
          );
          expect(send.error).toMatchObject({ data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } });
          const member = await answeredWithin(3000, () => alice.on(server.url).open(`/room/${roomId}`));
          expect(member.value?.status).toBe(503);
          const newcomer = await answeredWithin(3000, () => new Visitor(server.url).open(`/room/${roomId}`));
          expect(newcomer.value?.status).toBe(503);
        }
      } finally {
        process.kill(redis.pid, "SIGCONT");
      }

      // The first try's script was on its way when it timed out and ran when Redis resumed: the
      // retry, with the same clientId, gets that copy back rather than storing a second.
      const retried = await alice.trpc.message.send.mutate({ roomId, ciphertext: sealed, clientId: "a-stalled" });
      const { messages } = await alice.trpc.message.list.query({ roomId });
      expect(messages.map((message) => [message.id, message.clientId])).toEqual([[retried.id, "a-stalled"]]);
      // The stream, idle through the stall, was never cut: it delivers the message as it always would.
      await waitFor(() => watched.events.some((event) => event.type === "message"), {
        what: "the message on the open stream",
      });
      expect(watched.errors).toEqual([]);
      watched.subscription.unsubscribe();
      expect((await fetch(`${servers[1].url}/readyz`)).status).toBe(200);
    } finally {
      process.kill(redis.pid, "SIGCONT");
      await Promise.all(servers.map((server) => server.stop()));
      await redis.stop();
    }
  }, 60_000);
});

/**
 * Fills Redis with 8 MB, then sets maxmemory 4 MB below what it holds: with noeviction every write
 * that could grow it is refused from then on. (Filling up to the limit, or with one big value,
 * leaves room for small writes once Redis frees that value's query buffer.)
 */
async function fillRedis(admin: Redis): Promise<void> {
  for (let index = 0; index < 64; index += 1) await admin.set(`filler:${index}`, "x".repeat(128 * 1024));
  const used = Number(/used_memory:(\d+)/.exec(await admin.info("memory"))?.[1]);
  await admin.config("SET", "maxmemory", String(used - 4 * 1024 * 1024));
  await expect(admin.set("probe", "x")).rejects.toThrow(/^OOM/);
}

describe("Redis out of memory (maxmemory with noeviction)", () => {
  it("answers a plain 503 'the server is full' to create, send, upload and the room page; /readyz and metrics report it", async () => {
    const redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, SESSION_SECRET: TEST_SECRET, METRICS_TOKEN };
    // Rate limits on: their script is the first write most requests make. Off: the room's own are.
    const servers = await Promise.all([startAppServer(env), startAppServer({ ...env, RATE_LIMITS: "on" })]);
    const admin = new Redis(redis.url);
    const scrape = async (server: AppServer) =>
      (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    try {
      const alice = new Visitor(servers[0].url);
      const { roomId } = await alice.trpc.room.create.mutate({});
      await alice.open(`/room/${roomId}`);
      expect(metricValue(await scrape(servers[0]), "ephemera_redis_out_of_memory")).toBe(0);
      await fillRedis(admin);

      const full = /^The server is full right now\. Try again later\.$/;
      for (const server of servers) {
        const visitor = alice.on(server.url);
        const create = await visitor.trpc.room.create.mutate({}).catch((error: unknown) => error);
        expect(create).toMatchObject({ data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } });
        expect((create as Error).message).toMatch(full);
        const send = await visitor.trpc.message.send
          .mutate({ roomId, ciphertext: opaque("into a full store"), clientId: nanoid() })
          .catch((error: unknown) => error);
        expect(send).toMatchObject({ data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } });
        expect((send as Error).message).toMatch(full);

        const upload = await fetch(`${server.url}/api/rooms/${roomId}/images/${nanoid()}`, {
          method: "PUT",
          headers: { cookie: alice.cookieHeader(), "content-type": "application/octet-stream" },
          body: crypto.getRandomValues(new Uint8Array(4096)),
        });
        expect(upload.status).toBe(503);
        expect(await upload.json()).toEqual({
          error: { code: "SERVICE_UNAVAILABLE", message: expect.stringMatching(full) },
        });

        const page = await new Visitor(server.url).open(`/room/${roomId}`);
        expect(page.status).toBe(503);
        const body = await page.text();
        expect(body).toContain("The server is full right now. Try the link again later.");
        expect(body).not.toMatch(/OOM|script:/);

        const ready = await fetch(`${server.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toEqual({ status: "unavailable", reason: expect.stringMatching(/out of memory/) });
        expect(metricValue(await scrape(server), "ephemera_redis_out_of_memory")).toBe(1);
      }

      // Room again (the rooms end, or an operator raises the limit): everything works at once.
      await admin.config("SET", "maxmemory", "0");
      for (const server of servers) {
        expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
        expect(metricValue(await scrape(server), "ephemera_redis_out_of_memory")).toBe(0);
        const sent = await alice
          .on(server.url)
          .trpc.message.send.mutate({ roomId, ciphertext: opaque("room again"), clientId: nanoid() });
        expect(sent.status).toBe("sent");
      }
    } finally {
      await admin.quit();
      await Promise.all(servers.map((server) => server.stop()));
      await redis.stop();
    }
  }, 60_000);
});

describe("a room whose keys vanish under an open stream", () => {
  it("ends the stream with `destroyed` for reason `lost` when Redis is flushed", async () => {
    const redis = await startRedisServer();
    const server = await startAppServer({ REDIS_URL: redis.url, SESSION_SECRET: TEST_SECRET });
    const admin = new Redis(redis.url);
    try {
      const alice = new Visitor(server.url);
      const bob = new Visitor(server.url);
      const { roomId } = await alice.trpc.room.create.mutate({});
      await alice.open(`/room/${roomId}`);
      await bob.open(`/room/${roomId}`);
      const watched = [watchRoom(alice, roomId), watchRoom(bob, roomId)];
      await waitFor(() => watched.every(({ events }) => events.some((event) => event.type === "members")), {
        what: "both streams",
      });
      await admin.flushall();
      for (const stream of watched) await expectEndedAsLost(stream);
    } finally {
      await admin.quit();
      await server.stop();
      await redis.stop();
    }
  }, 60_000);
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
      const watched = watchRoom(alice, roomId);
      await waitFor(() => watched.events.some((event) => event.type === "members"), { what: "the stream to open" });

      await redis.stop();
      await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 503, { what: "not ready" });
      const started = Date.now();
      const duringTheOutage = opaque("during the outage");
      const error = await alice.trpc.message.send
        .mutate({ roomId, ciphertext: duringTheOutage, clientId: "a-outage" })
        .then(
          () => null,
          (caught: { data?: { code?: string; httpStatus?: number }; message: string }) => caught,
        );
      expect(Date.now() - started).toBeLessThan(3000);
      expect(error?.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
      // Whether anything survives depends on how Redis comes back: the answer promises nothing.
      expect(error?.message).toBe("Ephemera cannot reach its message store right now. Try again in a moment.");
      const page = await new Visitor(server.url).open(`/room/${roomId}`);
      expect(page.status).toBe(503);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

      redis = await startRedisServer({ port: redis.port });
      await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 200, {
        what: "ready again",
        timeoutMs: 10_000,
      });
      // A Redis that keeps nothing on disk comes back empty: the old room is gone, and its stream
      // says so rather than claiming someone destroyed it.
      await expectEndedAsLost(watched);
      // New rooms work.
      const { roomId: fresh } = await alice.trpc.room.create.mutate({});
      await alice.open(`/room/${fresh}`);
      expect(
        await alice.trpc.message.send.mutate({ roomId: fresh, ciphertext: opaque("after"), clientId: "a-after" }),
      ).toMatchObject({ id: 1 });
      expect(server.output()).toContain("Redis connection error");
      expect(server.output()).not.toContain(duringTheOutage);
    } finally {
      await server.stop();
      await redis.stop();
    }
  });
});

describe.each([
  {
    what: "writes to disk",
    args: ["--save", "3600 1"],
    warning: "REDIS PERSISTS TO DISK",
    detail: 'save \\"3600 1\\"',
  },
  {
    what: "may evict keys",
    args: ["--maxmemory-policy", "allkeys-lru"],
    warning: "REDIS MAY EVICT ROOMS",
    detail: "maxmemory-policy allkeys-lru",
  },
])("Redis that $what", ({ args, warning, detail }) => {
  it("is reported loudly at startup, and refused when REQUIRE_EPHEMERAL_REDIS=true", async () => {
    const redis = await startRedisServer({ args });
    try {
      const server = await startAppServer({ REDIS_URL: redis.url, SESSION_SECRET: TEST_SECRET });
      await waitFor(() => server.output().includes(warning), { what: "the warning" });
      expect(server.output()).toContain(detail);
      await server.stop();

      const refused = await runAppServerToExit({
        REDIS_URL: redis.url,
        SESSION_SECRET: TEST_SECRET,
        REQUIRE_EPHEMERAL_REDIS: "true",
      });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain("refusing to start");
    } finally {
      await redis.stop();
    }
  }, 60_000);
});

describe("Redis that persists nothing and evicts nothing", () => {
  it("is confirmed as ephemeral when it is", async () => {
    const server = await startAppServer({
      REDIS_URL: inject("redisUrl"),
      SESSION_SECRET: TEST_SECRET,
      REQUIRE_EPHEMERAL_REDIS: "true",
    });
    try {
      await waitFor(() => server.output().includes("Redis persists nothing to disk"), { what: "the confirmation" });
      await waitFor(() => server.output().includes("Redis never evicts a room (maxmemory-policy noeviction)"), {
        what: "the policy",
      });
    } finally {
      await server.stop();
    }
  });
});
