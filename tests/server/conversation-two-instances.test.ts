import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import { startAppServer, type AppServer } from "../support/app-server";
import { TEST_SECRET } from "../support/app";
import { REDIS_SETUPS, redisEnv } from "../support/redis-env";
import { fromOpaque, opaque, opaqueName } from "../support/opaque";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

const GRACE_MS = 1000;

/**
 * Typing, presence, receipts and exactly-once sends with the two people on two production
 * processes sharing one Redis (or one Redis Cluster), including one process dying without a goodbye.
 */
describe.each(REDIS_SETUPS)("conversation state across two instances on %s", (setup) => {
  let first: AppServer;
  let second: AppServer;
  const env = { ...redisEnv(setup), SESSION_SECRET: TEST_SECRET, PRESENCE_GRACE_MS: String(GRACE_MS) };

  beforeAll(async () => {
    [first, second] = await Promise.all([startAppServer(env), startAppServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  function listen(visitor: Visitor, roomId: string) {
    const events: Array<RoomEvent & { at: number }> = [];
    const errors: unknown[] = [];
    const subscription = visitor.trpc.room.events.subscribe(
      { roomId },
      {
        onData: ({ data }) => events.push({ ...data, at: Date.now() }),
        onError: (error) => errors.push(error),
      },
    );
    const ofType = <T extends RoomEvent["type"]>(type: T) =>
      events.filter((event): event is Extract<RoomEvent, { type: T }> & { at: number } => event.type === type);
    return { events, errors, ofType, stop: () => subscription.unsubscribe() };
  }

  async function roomWithAliceOn(instance: AppServer, bobOn: AppServer) {
    const alice = new Visitor(instance.url);
    const bob = new Visitor(bobOn.url);
    const { roomId } = await alice.trpc.room.create.mutate({ ttlSeconds: 300 });
    await alice.open(`/room/${roomId}`);
    await bob.open(`/room/${roomId}`);
    return { alice, bob, roomId };
  }

  it("names each person to the other at once, and to a stream opened later on either instance", async () => {
    const { alice, bob, roomId } = await roomWithAliceOn(first, second);
    const aliceStream = listen(alice, roomId);
    await waitFor(() => aliceStream.ofType("members").length === 1, { what: "alice's stream state" });
    expect(aliceStream.ofType("name")).toEqual([]);

    const sent = Date.now();
    expect(await bob.trpc.room.setName.mutate({ roomId, name: opaqueName("Robin") })).toEqual({ ok: true });
    await waitFor(() => aliceStream.ofType("name").length === 1, { what: "bob's name on instance one" });
    expect(aliceStream.ofType("name")[0]).toMatchObject({ mine: false, name: opaqueName("Robin") });
    expect(aliceStream.ofType("name")[0]!.at - sent).toBeLessThan(300);

    // Alice names herself on instance one; bob's stream, opened later on instance two, has both.
    expect(await alice.trpc.room.setName.mutate({ roomId, name: opaqueName("Alicia") })).toEqual({ ok: true });
    const bobStream = listen(bob, roomId);
    await waitFor(() => bobStream.ofType("members").length === 1, { what: "bob's stream state" });
    expect(bobStream.ofType("name").map(({ mine, name }) => ({ mine, name }))).toEqual(
      expect.arrayContaining([
        { mine: true, name: opaqueName("Robin") },
        { mine: false, name: opaqueName("Alicia") },
      ]),
    );
    expect(
      bobStream
        .ofType("name")
        .map(({ name }) => fromOpaque(name))
        .sort(),
    ).toEqual(["Alicia", "Robin"]);
    aliceStream.stop();
    bobStream.stop();
  });

  it("shows each person's presence, typing, public keys and receipts to the other", async () => {
    const { alice, bob, roomId } = await roomWithAliceOn(first, second);
    const aliceStream = listen(alice, roomId);
    await waitFor(() => aliceStream.ofType("presence").length === 1, { what: "alice's first presence state" });
    expect(aliceStream.ofType("presence")[0]).toMatchObject({ here: false, lastSeen: null });

    const bobStream = listen(bob, roomId);
    await waitFor(() => aliceStream.ofType("presence").at(-1)?.here === true, { what: "bob arriving" });
    await waitFor(() => bobStream.ofType("presence").at(-1)?.here === true, { what: "alice already here" });

    const typingSent = Date.now();
    await bob.trpc.room.typing.mutate({ roomId, typing: true, name: opaqueName("bob") });
    await waitFor(() => aliceStream.ofType("typing").length === 1, { what: "bob typing" });
    expect(aliceStream.ofType("typing")[0]).toMatchObject({ typing: true, name: opaqueName("bob"), expiresInMs: 3000 });
    expect(aliceStream.ofType("typing")[0]!.at - typingSent).toBeLessThan(300);
    expect(bobStream.ofType("typing")).toEqual([]); // own typing is not news

    expect(await bob.trpc.room.publishKeys.mutate({ roomId, publicKeys: "x25519.bob-on-two" })).toEqual({ ok: true });
    await waitFor(() => aliceStream.ofType("partner-keys").length === 1, { what: "bob's keys on instance one" });
    expect(aliceStream.ofType("partner-keys")[0]).toMatchObject({ publicKeys: "x25519.bob-on-two" });
    expect(await alice.trpc.room.publishKeys.mutate({ roomId, publicKeys: "x25519.alice-on-one" })).toEqual({
      ok: true,
    });
    await waitFor(() => bobStream.ofType("partner-keys").length === 1, { what: "alice's keys on instance two" });
    expect(bobStream.ofType("partner-keys")[0]).toMatchObject({ publicKeys: "x25519.alice-on-one" });
    expect(aliceStream.ofType("partner-keys")).toHaveLength(1); // own keys are not news

    const sent = await alice.trpc.message.send.mutate({
      roomId,
      ciphertext: opaque("did you get this?"),
      clientId: "a-1",
    });
    // The answer is the stored copy's id and time; the sender has the sealed text.
    expect(sent).toEqual({ id: 1, clientId: "a-1", timestamp: expect.any(Number), status: "sent" });
    await waitFor(() => bobStream.ofType("message").length === 1, { what: "the message on bob's side" });
    expect(bobStream.ofType("message")[0]?.message).toMatchObject({
      ciphertext: opaque("did you get this?"),
      clientId: "a-1",
      mine: false,
    });
    await bob.trpc.message.receipt.mutate({ roomId, delivered: 1 });
    await waitFor(() => aliceStream.ofType("receipts").at(-1)?.delivered === 1, { what: "delivered" });
    expect((await alice.trpc.message.list.query({ roomId })).messages[0]).toMatchObject({ status: "delivered" });
    // Lower or repeated receipts change nothing and are not announced.
    await bob.trpc.message.receipt.mutate({ roomId, delivered: 0 });
    await bob.trpc.message.receipt.mutate({ roomId, seen: 1 });
    await waitFor(() => aliceStream.ofType("receipts").at(-1)?.seen === 1, { what: "seen" });
    expect(aliceStream.ofType("receipts").map(({ delivered, seen }) => [delivered, seen])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
    ]);
    expect((await alice.trpc.message.list.query({ roomId })).messages[0]).toMatchObject({ status: "seen" });
    // Bob's view of his partner's message carries no status: it is not his.
    expect((await bob.trpc.message.list.query({ roomId })).messages[0]).not.toHaveProperty("status");

    // A reload that lands on the other instance, within the grace period: no flap.
    bobStream.stop();
    const bobReloaded = listen(bob.on(first.url), roomId);
    await waitFor(() => bobReloaded.ofType("receipts").length === 1, { what: "bob's new stream" });
    await waitFor(() => bobReloaded.ofType("partner-keys").length === 1, { what: "alice's keys, as state on opening" });
    expect(bobReloaded.ofType("partner-keys")[0]).toMatchObject({ publicKeys: "x25519.alice-on-one" });
    // Proving that something does not happen needs the time it would have happened in.
    const settled = Date.now() + GRACE_MS + 500;
    await waitFor(() => Date.now() > settled, { what: "the grace period to pass", timeoutMs: GRACE_MS * 3 });
    expect(aliceStream.ofType("presence").map((event) => event.here)).toEqual([false, true]);

    bobReloaded.stop();
    const closedAt = Date.now();
    await waitFor(() => aliceStream.ofType("presence").at(-1)?.here === false, { what: "bob gone", timeoutMs: 10_000 });
    const gone = aliceStream.ofType("presence").at(-1)!;
    expect(gone.at - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(gone.lastSeen).toBeGreaterThanOrEqual(closedAt - 1000);
    aliceStream.stop();
    expect([...aliceStream.errors, ...bobStream.errors, ...bobReloaded.errors]).toEqual([]);
  });

  it("stores one message for concurrent retries of a send, whichever instance they reach", async () => {
    const { alice, bob, roomId } = await roomWithAliceOn(first, second);
    const bobStream = listen(bob, roomId);
    const aliceElsewhere = alice.on(second.url);
    const attempts = Array.from({ length: 12 }, (_, index) =>
      (index % 2 === 0 ? alice : aliceElsewhere).trpc.message.send.mutate({
        roomId,
        ciphertext: opaque("exactly once"),
        clientId: "retry-me",
      }),
    );
    const answers = await Promise.all(attempts);
    expect(new Set(answers.map((answer) => answer.id))).toEqual(new Set([1]));
    await bob.trpc.message.send.mutate({ roomId, ciphertext: opaque("marker"), clientId: "b-marker" });
    await waitFor(() => bobStream.ofType("message").length === 2, { what: "the marker after the retries" });
    expect(bobStream.ofType("message").map((event) => fromOpaque(event.message.ciphertext))).toEqual([
      "exactly once",
      "marker",
    ]);
    expect((await bob.trpc.message.list.query({ roomId })).messages).toHaveLength(2);
    bobStream.stop();
  });

  it("frees a seat for good on Leave room, telling the partner on the other instance", async () => {
    const { alice, bob, roomId } = await roomWithAliceOn(first, second);
    const aliceStream = listen(alice, roomId);
    const bobStream = listen(bob, roomId);
    await waitFor(() => aliceStream.ofType("presence").at(-1)?.here === true, { what: "bob here" });
    expect(await bob.trpc.room.leave.mutate({ roomId })).toEqual({ ok: true });
    await waitFor(() => aliceStream.ofType("partner-left").length === 1, { what: "partner-left" });
    await waitFor(() => aliceStream.ofType("members").at(-1)?.count === 1, { what: "one seat taken" });
    expect(aliceStream.ofType("presence").at(-1)).toMatchObject({ here: false, lastSeen: null });
    await expect(
      bob.trpc.message.send.mutate({ roomId, ciphertext: opaque("still here?"), clientId: "b-gone" }),
    ).rejects.toMatchObject({
      data: { code: "UNAUTHORIZED" },
    });
    const carol = new Visitor(second.url);
    expect((await carol.open(`/room/${roomId}`)).status).toBe(200);
    expect((await new Visitor(first.url).open(`/room/${roomId}`)).headers.get("location")).toBe("/?error=room-full");
    bobStream.stop();
    aliceStream.stop();
  });

  it("hands whoever takes a freed seat, on either instance, nothing sent before they arrived", async () => {
    const { alice, bob, roomId } = await roomWithAliceOn(first, second);
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("for bob only"), clientId: "a-1" });
    await bob.trpc.message.send.mutate({ roomId, ciphertext: opaque("bob's reply"), clientId: "b-1" });
    await bob.trpc.room.leave.mutate({ roomId });
    const aliceStream = listen(alice, roomId);
    await waitFor(() => aliceStream.ofType("members").length > 0, { what: "alice's state" });
    const carol = new Visitor(second.url);
    expect((await carol.open(`/room/${roomId}`)).status).toBe(200);
    await waitFor(() => aliceStream.ofType("partner-arrived").length === 1, {
      what: "carol's arrival, on alice's instance",
    });
    expect(aliceStream.ofType("partner-arrived")[0]).toMatchObject({ after: 2 });
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("hello carol"), clientId: "a-2" });

    expect((await carol.trpc.message.list.query({ roomId })).messages.map((m) => fromOpaque(m.ciphertext))).toEqual([
      "hello carol",
    ]);
    // Her stream, from the start or resumed from an id she was never given, replays the same.
    for (const lastEventId of [undefined, "1"]) {
      const messages: string[] = [];
      const subscription = carol.trpc.room.events.subscribe(
        { roomId, lastEventId },
        { onData: ({ data }) => data.type === "message" && messages.push(fromOpaque(data.message.ciphertext)) },
      );
      await carol.trpc.message.send.mutate({
        roomId,
        ciphertext: opaque(`marker ${lastEventId}`),
        clientId: `c-${lastEventId}`,
      });
      await waitFor(() => messages.at(-1) === `marker ${lastEventId}`, { what: "carol's marker on her stream" });
      subscription.unsubscribe();
      expect(messages.filter((text) => text.includes("bob"))).toEqual([]);
      expect(messages[0]).toBe("hello carol");
    }
    aliceStream.stop();
  });

  it("shows a person whose instance died as gone, without waiting for a goodbye", async () => {
    const doomed = await startAppServer(env);
    const { alice, bob, roomId } = await roomWithAliceOn(first, doomed);
    const aliceStream = listen(alice, roomId);
    const bobStream = listen(bob, roomId);
    await waitFor(() => aliceStream.ofType("presence").at(-1)?.here === true, { what: "bob here" });
    const killedAt = Date.now();
    await doomed.kill(); // no graceful close of bob's stream, no goodbye
    await waitFor(() => aliceStream.ofType("presence").at(-1)?.here === false, { what: "bob gone", timeoutMs: 10_000 });
    // One heartbeat timeout plus one beat, well inside the ten seconds.
    expect(Date.now() - killedAt).toBeLessThan(GRACE_MS * 4);
    bobStream.stop();
    aliceStream.stop();
  });
});
