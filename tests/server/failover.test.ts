import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import { TEST_SECRET } from "../support/app";
import { fromOpaque, opaque } from "../support/opaque";
import { startAppServer, type AppServer } from "../support/app-server";
import { startLoadBalancer } from "../support/load-balancer";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

describe("an instance shut down mid-conversation", () => {
  let first: AppServer;
  let second: AppServer;
  beforeAll(async () => {
    const env = { REDIS_URL: inject("redisUrl"), SESSION_SECRET: TEST_SECRET, LOG_LEVEL: "info" };
    [first, second] = await Promise.all([startAppServer(env), startAppServer(env)]);
  });
  afterAll(() => Promise.all([first?.stop(), second?.stop()]));

  it("drains within the timeout, and the reader resumes on the other instance with nothing lost or doubled", async () => {
    const balancer = await startLoadBalancer([first.url, second.url]);
    try {
      const alice = new Visitor(balancer.url);
      const bob = new Visitor(second.url);
      const { roomId } = await alice.trpc.room.create.mutate({ ttlSeconds: 300 });
      await alice.open(`/room/${roomId}`);
      await bob.open(`/room/${roomId}`);

      const received: number[] = [];
      const texts: string[] = [];
      const errors: unknown[] = [];
      const subscription = alice.trpc.room.events.subscribe(
        { roomId },
        {
          onData: ({ data }: { data: RoomEvent }) => {
            if (data.type === "message") {
              received.push(data.message.id);
              texts.push(fromOpaque(data.message.ciphertext));
            }
          },
          onError: (error) => errors.push(error),
        },
      );

      const total = 12;
      for (let index = 1; index <= total; index += 1) {
        await bob.trpc.message.send.mutate({ roomId, ciphertext: opaque(`message ${index}`), clientId: `b-${index}` });
        if (index === 4) {
          await waitFor(() => received.length === 4, { what: "the first messages through instance one" });
          // The platform takes the instance out of rotation and sends it SIGTERM.
          balancer.remove(first.url);
          const stopping = Date.now();
          await first.stop(15_000);
          expect(Date.now() - stopping).toBeLessThan(10_000);
        }
      }

      await waitFor(() => received.length >= total, { what: "every message on instance two", timeoutMs: 15_000 });
      expect(received).toEqual(Array.from({ length: total }, (_, index) => index + 1));
      expect(texts).toEqual(Array.from({ length: total }, (_, index) => `message ${index + 1}`));
      expect(errors).toEqual([]);
      expect(first.output()).toContain("shut down cleanly");
      subscription.unsubscribe();
    } finally {
      await balancer.close();
    }
  });
});
