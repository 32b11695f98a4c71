import { TRPCError } from "@trpc/server";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import { MemoryAccountStore } from "~/.server/accounts/memory-account-store";
import { parseEnv } from "~/.server/env";
import { createServices, type Services } from "~/.server/services";
import { callerFor, joinAsNewVisitor, TEST_SECRET } from "../support/app";
import { fromOpaque, opaque } from "../support/opaque";
import { startRedisSentinel, type TestRedisSentinel } from "../support/redis-sentinel";
import { collect, TEST_PRESENCE_GRACE_MS } from "../support/stores";
import { waitFor } from "../support/wait-for";

/** Server-side callers yield tRPC's raw `tracked()` envelopes, [id, data, marker]. */
function messagesIn(items: ReadonlyArray<unknown>) {
  return items
    .map((item) => (Array.isArray(item) ? (item[1] as RoomEvent) : (item as { data: RoomEvent }).data))
    .flatMap((event) => (event.type === "message" ? [[event.message.id, fromOpaque(event.message.ciphertext)]] : []));
}

describe("rooms on Redis with Sentinel, through a failover", () => {
  // Its own primary, replica and sentinel: killing the primary must not disturb other suites, and
  // only this file needs them.
  let sentinel: TestRedisSentinel;
  let services: Services;
  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    // Built from the environment, as the server builds them: REDIS_SENTINELS to connections.
    const config = parseEnv({
      NODE_ENV: "test",
      SESSION_SECRET: TEST_SECRET,
      RATE_LIMITS: "off",
      REDIS_SENTINELS: sentinel.sentinels.map(({ host, port }) => `${host}:${port}`).join(","),
      REDIS_SENTINEL_NAME: sentinel.name,
      PRESENCE_GRACE_MS: String(Math.max(TEST_PRESENCE_GRACE_MS, 500)),
      REDIS_COMMAND_TIMEOUT_MS: "1000",
    });
    services = createServices(config, undefined, new MemoryAccountStore());
  });
  afterAll(async () => {
    // A test that failed mid-failover can leave the connections waiting on a Redis that never
    // answers: the servers are stopped whatever closing them does, or they outlive the run.
    try {
      await Promise.race([services?.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    } finally {
      await sentinel?.stop();
    }
  });

  it("sends again on the promoted replica, keeps what reached it, and the open stream carries on", async () => {
    const [primaryPort, replicaPort] = sentinel.ports;
    expect(await sentinel.primaryPort()).toBe(primaryPort);
    const [primary, replica] = [primaryPort, replicaPort].map((port) => {
      const admin = new Redis({ host: "127.0.0.1", port });
      admin.on("error", () => {});
      return admin;
    }) as [Redis, Redis];
    try {
      // Only the replica may evict: the settings check reads whichever server is primary now.
      await replica.config("SET", "maxmemory-policy", "volatile-lru");
      const [, eviction] = await services.checkRedisSettings!();
      expect(eviction).toEqual({ status: "noeviction" });

      const { roomId } = await callerFor(services).room.create();
      const alice = callerFor(services, await joinAsNewVisitor(services, roomId));
      const bob = callerFor(services, await joinAsNewVisitor(services, roomId));
      const bobStream = collect(await bob.room.events({ roomId }));
      for (let index = 1; index <= 3; index += 1) {
        await alice.message.send({ roomId, ciphertext: opaque(`before ${index}`), clientId: `a-${index}` });
      }
      await waitFor(() => messagesIn(bobStream.items).length === 3, { what: "the messages on bob's stream" });
      // Replication is asynchronous: wait until the replica has acknowledged all of it, so the
      // failover loses nothing (what it would lose otherwise: decision 027). WAIT counts replicas
      // that have this connection's own last write, so it writes first: everything before that
      // write is then on the replica too.
      await primary.set("ephemera:test:replicated", "1", "PX", 60_000);
      expect(await primary.call("WAIT", "1", "5000")).toBe(1);
      primary.disconnect();

      await sentinel.kill(primaryPort);
      const killed = Date.now();
      // Sends fail with a retryable 503 until the replica is promoted; the same clientId makes the
      // retries safe whether or not a failed attempt ran.
      const refusals = new Set<string>();
      const resent = await waitFor(
        async () => {
          try {
            return await alice.message.send({ roomId, ciphertext: opaque("after 1"), clientId: "a-after-1" });
          } catch (error) {
            refusals.add(error instanceof TRPCError ? `${error.code}: ${error.message}` : String(error));
            return null;
          }
        },
        { timeoutMs: 20_000, intervalMs: 200, what: "a send on the promoted replica" },
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; refused with: ${[...refusals].join(" | ")}`);
      });
      const failoverMs = Date.now() - killed;
      expect(resent).toMatchObject({ id: 4, clientId: "a-after-1" });
      expect([...refusals].every((refusal) => refusal.startsWith("SERVICE_UNAVAILABLE: "))).toBe(true);
      expect(await sentinel.primaryPort()).toBe(replicaPort);
      expect(failoverMs).toBeLessThan(20_000);

      await bob.message.send({ roomId, ciphertext: opaque("after 2"), clientId: "b-after-2" });
      // The open stream's subscriber reconnected to the new primary, subscribed again and re-read.
      await waitFor(() => messagesIn(bobStream.items).length === 5, {
        what: "the messages after the failover on bob's open stream",
        timeoutMs: 10_000,
      });
      const expected = [
        [1, "before 1"],
        [2, "before 2"],
        [3, "before 3"],
        [4, "after 1"],
        [5, "after 2"],
      ];
      expect(messagesIn(bobStream.items)).toEqual(expected);
      // A stream resumed after the failover from the last id alice saw gets only what followed.
      const resumed = collect(await alice.room.events({ roomId, lastEventId: "3" }));
      await waitFor(() => messagesIn(resumed.items).length === 2, { what: "alice's resumed stream" });
      expect(messagesIn(resumed.items)).toEqual(expected.slice(3));
      const listed = await bob.message.list({ roomId });
      expect(listed.messages.map((message) => [message.id, fromOpaque(message.ciphertext)])).toEqual(expected);

      // Readiness and the settings check follow the primary too.
      await services.store.ping();
      expect(await replica.exists("ephemera:ready")).toBe(1);
      const [persistence, evictionNow] = await services.checkRedisSettings!();
      expect(persistence).toEqual({ status: "ephemeral" });
      expect(evictionNow).toEqual({ status: "evicts", policy: "volatile-lru" });
    } finally {
      primary.disconnect();
      replica.disconnect();
    }
  }, 40_000);
});
