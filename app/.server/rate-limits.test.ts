import { TRPCError } from "@trpc/server";
import { describe, expect, inject, it } from "vitest";
import {
  callerFor,
  joinAsNewVisitor,
  makeServices,
  TEST_SECRET,
  visitorCookie,
  visitRoom,
} from "../../tests/support/app";
import { opaque, opaqueName } from "../../tests/support/opaque";
import { clusterTarget, createRoom, makeStorage, remainingMs, STORE_KINDS } from "../../tests/support/stores";
import { parseEnv } from "./env";
import { RateLimitedError, RateLimits } from "./rate-limits";
import { createRedisConnections } from "./redis/connections";
import { createServices, type Services } from "./services";
import { visitorIdOf } from "./room-token";

const limited = {
  RATE_LIMITS: "on",
  RATE_LIMIT_ROOMS_PER_MINUTE: "3",
  RATE_LIMIT_JOINS_PER_MINUTE: "4",
  RATE_LIMIT_MESSAGES_PER_SECOND: "2",
  RATE_LIMIT_MESSAGE_BURST: "1",
};

async function trpcError(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return error;
}

describe.each(STORE_KINDS)("rate limits (%s store)", (kind) => {
  /**
   * Services under the limits, and unlimited ones on the same storage through which seats are
   * taken, so a test spends none of the gate's budget.
   */
  function limitedBesideUnlimited() {
    const storage = makeStorage(kind);
    const services = createServices(parseEnv({ NODE_ENV: "test", SESSION_SECRET: TEST_SECRET, ...limited }), storage);
    return { services, unlimited: makeServices(kind, {}, storage) };
  }
  /** A room with two people seated by `unlimited`, each with a caller under `services`' limits. */
  async function twoSeated(services: Services, unlimited: Services) {
    const roomId = await createRoom(services.store);
    const alice = callerFor(services, await joinAsNewVisitor(unlimited, roomId));
    const bob = callerFor(services, await joinAsNewVisitor(unlimited, roomId));
    return { roomId, alice, bob };
  }

  it("limits room creation per address with TOO_MANY_REQUESTS and a wait", async () => {
    const services = makeServices(kind, limited);
    try {
      const caller = callerFor(services, undefined, undefined, `198.51.100.${kind === "redis" ? 1 : 2}`);
      for (let index = 0; index < 3; index += 1) await caller.room.create();
      const error = await trpcError(caller.room.create());
      expect(error.code).toBe("TOO_MANY_REQUESTS");
      expect(error.message).toMatch(/^You are creating rooms too quickly\. Slow down and try again in \d+ s\.$/);
      expect((error.cause as RateLimitedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      // Someone else is unaffected.
      await callerFor(services, undefined, undefined, "198.51.100.99").room.create();
    } finally {
      await services.close();
    }
  });

  it("limits each participant's messages to the rate plus the burst", async () => {
    const services = makeServices(kind, limited);
    try {
      const roomId = await createRoom(services.store);
      const alice = callerFor(services, await joinAsNewVisitor(services, roomId));
      const bob = callerFor(services, await joinAsNewVisitor(services, roomId));
      const sent = await Promise.allSettled(
        Array.from({ length: 5 }, (_, index) =>
          alice.message.send({ roomId, ciphertext: opaque(`m${index}`), clientId: `a-${index}` }),
        ),
      );
      expect(sent.filter((result) => result.status === "fulfilled")).toHaveLength(3);
      const refused = sent.find((result) => result.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: "TOO_MANY_REQUESTS" });
      expect(String(refused.reason.message)).toContain("You are sending messages too fast. Slow down");
      expect((await alice.message.list({ roomId })).messages).toHaveLength(3);
      await bob.message.send({ roomId, ciphertext: opaque("bob is not limited by alice"), clientId: "b-1" });
    } finally {
      await services.close();
    }
  });

  it("limits each participant's renames to a few a minute, the partner's own untouched", async () => {
    const { services, unlimited } = limitedBesideUnlimited();
    try {
      const { roomId, alice, bob } = await twoSeated(services, unlimited);
      const renames = await Promise.allSettled(
        Array.from({ length: 12 }, (_, index) => alice.room.setName({ roomId, name: opaqueName(`alice-${index}`) })),
      );
      expect(renames.filter((result) => result.status === "fulfilled")).toHaveLength(10);
      expect(renames.find((result) => result.status === "rejected")).toMatchObject({
        reason: { code: "TOO_MANY_REQUESTS", message: expect.stringContaining("changing your name too often") },
      });
      expect(await bob.room.setName({ roomId, name: opaqueName("bob") })).toEqual({ ok: true });
      // Renames also count as signals, but ten of them leave room for typing.
      expect(await alice.room.typing({ roomId, typing: true, name: opaqueName("a") })).toEqual({ ok: true });
    } finally {
      await services.close();
    }
  });

  it("limits each participant's typing, receipt and public-key signals together", async () => {
    const { services, unlimited } = limitedBesideUnlimited();
    try {
      const { roomId, alice, bob } = await twoSeated(services, unlimited);
      const signals = await Promise.allSettled(
        Array.from({ length: 70 }, (_, index) =>
          index % 3 === 0
            ? alice.room.typing({ roomId, typing: true, name: opaqueName("a") })
            : index % 3 === 1
              ? alice.message.receipt({ roomId, delivered: 0 })
              : alice.room.publishKeys({ roomId, publicKeys: `x25519.alice-${index}` }),
        ),
      );
      expect(signals.filter((result) => result.status === "fulfilled")).toHaveLength(60);
      expect(signals.find((result) => result.status === "rejected")).toMatchObject({
        reason: { code: "TOO_MANY_REQUESTS", message: expect.stringContaining("Too many typing or read signals") },
      });
      // One budget for all three: a third of the burst was keys, yet alice's next keys are refused.
      expect(await trpcError(alice.room.publishKeys({ roomId, publicKeys: "x25519.alice-again" }))).toMatchObject({
        code: "TOO_MANY_REQUESTS",
      });
      await bob.room.typing({ roomId, typing: true, name: opaqueName("b") });
      expect(await bob.room.publishKeys({ roomId, publicKeys: "x25519.bob" })).toEqual({ ok: true });
    } finally {
      await services.close();
    }
  });

  it("limits searches for a stranger per address; a refused Skip leaves the chat as it was", async () => {
    const services = makeServices(kind, limited);
    try {
      const address = `198.51.100.${kind === "redis" ? 21 : 22}`;
      const cookies = await Promise.all(Array.from({ length: 5 }, () => visitorCookie(services)));
      const outcomes = [];
      for (const cookie of cookies) {
        outcomes.push(
          await callerFor(services, cookie, undefined, address)
            .match.find({})
            .then(
              (state) => state,
              (error: unknown) => error,
            ),
        );
      }
      expect(outcomes.slice(0, 4).map((state) => (state as { status: string }).status)).toEqual([
        "waiting",
        "matched",
        "waiting",
        "matched",
      ]);
      expect(outcomes[4]).toMatchObject({
        code: "TOO_MANY_REQUESTS",
        message: expect.stringContaining("looking for strangers too quickly"),
      });

      const { roomId } = outcomes[1] as { roomId: string };
      const entered = await visitRoom(services, roomId, { cookie: cookies[1] });
      if (entered.kind !== "member") throw new Error("expected a seat");
      const skipper = callerFor(services, `${cookies[1]}; ${entered.setCookie?.split(";")[0]}`, undefined, address);
      expect(
        await skipper.match.next({ roomId }).then(
          () => null,
          (error: unknown) => error,
        ),
      ).toMatchObject({ code: "TOO_MANY_REQUESTS" });
      expect(await remainingMs(services.store, roomId)).not.toBeNull();
      const token = await services.cookies.readVisitor(cookies[1]!);
      expect(await services.matches.state(visitorIdOf(token!))).toEqual({ status: "matched", roomId });
    } finally {
      await services.close();
    }
  });

  it("limits new seats per address at the gate, never a returning member", async () => {
    const services = makeServices(kind, limited);
    try {
      const roomId = await createRoom(services.store);
      const cookie = await joinAsNewVisitor(services, roomId);
      for (let index = 0; index < 3; index += 1) await visitRoom(services, await createRoom(services.store));
      const result = await visitRoom(services, await createRoom(services.store));
      expect(result).toMatchObject({ kind: "rate-limited", message: expect.stringContaining("Slow down") });
      expect(await visitRoom(services, roomId, { cookie })).toMatchObject({ kind: "member", seat: 1 });
    } finally {
      await services.close();
    }
  });
});

describe("RATE_LIMITS=off", () => {
  it("turns every limit off", async () => {
    const limits = new RateLimits(parseEnv({ ...limited, RATE_LIMITS: "off" }));
    expect(limits.enabled).toBe(false);
    for (let index = 0; index < 50; index += 1) await limits.consume("sendMessage", "same-person");
  });
});

describe.each(["redis", "cluster"] as const)("limits shared through Redis (%s)", (kind) => {
  it("counts one visitor the same on every instance that shares the secret, and apart under another", async () => {
    const config = parseEnv({ ...limited, SESSION_SECRET: TEST_SECRET });
    const target = () => (kind === "cluster" ? clusterTarget() : inject("redisUrl"));
    const [first, second] = [createRedisConnections(target()), createRedisConnections(target())];
    try {
      const [a, b] = [new RateLimits(config, first.commands), new RateLimits(config, second.commands)];
      const key = `shared-${Date.now()}`;
      await a.consume("createRoom", key);
      await b.consume("createRoom", key);
      await a.consume("createRoom", key);
      await expect(b.consume("createRoom", key)).rejects.toBeInstanceOf(RateLimitedError);
      // The same visitor under another secret is another key: nothing above counted for it.
      const other = new RateLimits(config, second.commands, "another-secret-another-secret-0123456789");
      for (let index = 0; index < 3; index += 1) await other.consume("createRoom", key);
      await expect(other.consume("createRoom", key)).rejects.toBeInstanceOf(RateLimitedError);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
