import { describe, expect, it } from "vitest";
import { callerFor, joinAsNewVisitor, makeServices, visitorCookie } from "../../tests/support/app";
import { createRoom, STORE_KINDS } from "../../tests/support/stores";
import { rejection } from "../../tests/support/trpc-error";
import { type RateLimitedError } from "./rate-limits";
import type { Services } from "./services";

const capped = { RATE_LIMITS: "on", RATE_LIMIT_STREAMS_PER_PERSON: "2", RATE_LIMIT_STREAMS_PER_ADDRESS: "3" };

/** Opens a stream and reads its first event, which a refused stream never gets to. */
async function openStream(open: (signal: AbortSignal) => Promise<unknown>) {
  const controller = new AbortController();
  const iterator = ((await open(controller.signal)) as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  await iterator.next();
  return {
    close: async () => {
      controller.abort();
      await iterator.return?.();
    },
  };
}

function roomStream(services: Services, roomId: string, cookie: string, address: string) {
  return openStream((signal) => callerFor(services, cookie, signal, address).room.events({ roomId }));
}

describe.each(STORE_KINDS)("caps on open event streams (%s store)", (kind) => {
  // Each test its own addresses: the Redis counts are shared by every test in the run.
  const address = (last: number) => `198.51.100.${last + (kind === "redis" ? 100 : 0)}`;

  it("refuses a seat's stream past the cap with TOO_MANY_REQUESTS and a wait, and a closed one frees its slot", async () => {
    const services = makeServices(kind, capped);
    try {
      const roomId = await createRoom(services.store);
      const alice = await joinAsNewVisitor(services, roomId);
      const tabs = [
        await roomStream(services, roomId, alice, address(1)),
        await roomStream(services, roomId, alice, address(2)),
      ];
      const refused = await rejection(() => roomStream(services, roomId, alice, address(3)));
      expect(refused.code).toBe("TOO_MANY_REQUESTS");
      expect(refused.message).toBe(
        "You have this room open in too many tabs (at most 2). Close one and try again in 5 s.",
      );
      expect((refused.cause as RateLimitedError).retryAfterSeconds).toBe(5);

      // The partner is counted apart.
      const bob = await joinAsNewVisitor(services, roomId);
      const bobTab = await roomStream(services, roomId, bob, address(4));
      await tabs[0]!.close();
      tabs[0] = await roomStream(services, roomId, alice, address(3));
      await Promise.all([...tabs, bobTab].map((tab) => tab.close()));
    } finally {
      await services.close();
    }
  });

  it("refuses an address's streams past its cap, whoever's they are", async () => {
    const services = makeServices(kind, capped);
    try {
      const roomId = await createRoom(services.store);
      const [alice, bob] = [await joinAsNewVisitor(services, roomId), await joinAsNewVisitor(services, roomId)];
      const shared = address(10);
      const tabs = [
        await roomStream(services, roomId, alice, shared),
        await roomStream(services, roomId, alice, shared),
        await roomStream(services, roomId, bob, shared),
      ];
      const refused = await rejection(() => roomStream(services, roomId, bob, shared));
      expect(refused.code).toBe("TOO_MANY_REQUESTS");
      expect(refused.message).toBe(
        "Too many open connections from your network (at most 3). Close some tabs and try again in 5 s.",
      );
      // The same person from another network is not refused.
      tabs.push(await roomStream(services, roomId, bob, address(11)));
      await Promise.all(tabs.map((tab) => tab.close()));
    } finally {
      await services.close();
    }
  });

  it("caps a stranger-page visitor's streams the same way", async () => {
    const services = makeServices(kind, capped);
    try {
      const cookie = await visitorCookie(services);
      const open = (last: number) =>
        openStream((signal) => callerFor(services, cookie, signal, address(last)).match.events({}));
      const tabs = [await open(20), await open(21)];
      const refused = await rejection(() => open(22));
      expect(refused.code).toBe("TOO_MANY_REQUESTS");
      expect(refused.message).toBe(
        "You have the stranger page open in too many tabs (at most 2). Close one and try again in 5 s.",
      );
      await tabs[1]!.close();
      tabs[1] = await open(22);
      await Promise.all(tabs.map((tab) => tab.close()));
    } finally {
      await services.close();
    }
  });

  it("counts nothing with RATE_LIMITS=off", async () => {
    const services = makeServices(kind, { ...capped, RATE_LIMITS: "off" });
    try {
      const roomId = await createRoom(services.store);
      const alice = await joinAsNewVisitor(services, roomId);
      const tabs = [];
      for (let index = 0; index < 5; index += 1) tabs.push(await roomStream(services, roomId, alice, address(30)));
      await Promise.all(tabs.map((tab) => tab.close()));
    } finally {
      await services.close();
    }
  });
});
