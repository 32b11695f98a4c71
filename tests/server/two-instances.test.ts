import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import { startAppServer, type AppServer } from "../support/app-server";
import { TEST_SECRET } from "../support/app";
import { REDIS_SETUPS, redisEnv } from "../support/redis-env";
import { opaque } from "../support/opaque";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

/** Two production processes behind one Redis (or one Redis Cluster) must behave as one app. */
describe.each(REDIS_SETUPS)("two app instances sharing %s", (setup) => {
  let first: AppServer;
  let second: AppServer;

  beforeAll(async () => {
    const env = { ...redisEnv(setup), SESSION_SECRET: TEST_SECRET };
    [first, second] = await Promise.all([startAppServer(env), startAppServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  function subscribe(visitor: Visitor, roomId: string) {
    const all: RoomEvent[] = [];
    const events: RoomEvent[] = [];
    const seats: number[] = [];
    const errors: unknown[] = [];
    const subscription = visitor.trpc.room.events.subscribe(
      { roomId },
      {
        onData: ({ data }) => {
          all.push(data);
          if (data.type === "members") seats.push(data.count);
          // History only: presence, typing and receipts are state, tested on their own.
          else if (data.type === "message" || data.type === "destroyed" || data.type === "expired") events.push(data);
        },
        onError: (error) => errors.push(error),
      },
    );
    return { events, seats, all, errors, stop: () => subscription.unsubscribe() };
  }

  it("seats one person on each instance, refuses a third on either, and relays messages across", async () => {
    const alice = new Visitor(first.url);
    const bob = new Visitor(second.url);
    const { roomId } = await alice.trpc.room.create.mutate({ ttlSeconds: 120 });

    expect((await alice.open(`/room/${roomId}`)).status).toBe(200);
    expect((await bob.open(`/room/${roomId}`)).status).toBe(200);
    for (const origin of [first.url, second.url]) {
      const carol = await new Visitor(origin).open(`/room/${roomId}`);
      expect(carol.status).toBe(302);
      expect(carol.headers.get("location")).toBe("/?error=room-full");
    }

    const bobStream = subscribe(bob, roomId);
    const aliceStream = subscribe(alice, roomId);
    // Both streams replay the (empty) backlog and go live; a first message proves they are up.
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("hello from instance one"), clientId: "a-1" });
    await waitFor(() => bobStream.events.length === 1 && aliceStream.events.length === 1, { what: "first delivery" });
    await bob.trpc.message.send.mutate({ roomId, ciphertext: opaque("hello from instance two"), clientId: "b-1" });
    await waitFor(() => aliceStream.events.length === 2, { what: "the reply on instance one" });

    expect(bobStream.events[0]).toMatchObject({
      type: "message",
      message: { ciphertext: opaque("hello from instance one"), clientId: "a-1", mine: false },
    });
    expect(aliceStream.events[1]).toMatchObject({
      type: "message",
      message: { ciphertext: opaque("hello from instance two"), clientId: "b-1", mine: false },
    });
    expect(aliceStream.events[0]).toMatchObject({ type: "message", message: { mine: true } });
    expect(aliceStream.seats).toEqual([2]);

    expect(await bob.trpc.room.destroy.mutate({ roomId })).toEqual({ ok: true });
    await waitFor(() => aliceStream.events.at(-1)?.type === "destroyed", { what: "destroyed on instance one" });
    await waitFor(() => bobStream.events.at(-1)?.type === "destroyed", { what: "destroyed on instance two" });
    aliceStream.stop();
    bobStream.stop();
    expect([...aliceStream.errors, ...bobStream.errors]).toEqual([]);

    const afterwards = await alice.open(`/room/${roomId}`);
    expect(afterwards.headers.get("location")).toBe("/?error=room-not-found");
  });

  it("recognises a member's cookie on the other instance", async () => {
    const alice = new Visitor(first.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    await alice.open(`/room/${roomId}`);
    const response = await fetch(`${second.url}/room/${roomId}`, {
      redirect: "manual",
      headers: { cookie: alice.cookieHeader(), "user-agent": "Mozilla/5.0 Chrome/156.0" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    await alice.trpc.room.destroy.mutate({ roomId });
  });
});

/** An instance on a Redis Cluster is ready once every primary answers, strangers' queue included. */
describe("an app instance on a Redis Cluster", () => {
  let server: AppServer;

  beforeAll(async () => {
    server = await startAppServer({ ...redisEnv("a Redis Cluster"), SESSION_SECRET: TEST_SECRET });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("is ready once every primary answers, and queues a stranger search", async () => {
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const visitor = new Visitor(server.url);
    expect((await visitor.open("/stranger")).status).toBe(200);
    expect(await visitor.trpc.match.find.mutate({})).toEqual({ status: "waiting", since: expect.any(Number) });
    expect(await visitor.trpc.match.cancel.mutate({})).toEqual({ status: "idle" });
  });
});
