import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import express from "express";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import type { ChatMessage } from "~/lib/chat-message";
import { confirm, emptyConversation, markLost, type Conversation } from "~/lib/conversation";
import { ID_JUMP } from "~/.server/rooms/redis-scripts";
import { healthRoutes } from "../../server/health";
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

/** Services built from the environment, as the server builds them: REDIS_SENTINELS to connections. */
function servicesOn(sentinel: TestRedisSentinel): Services {
  const config = parseEnv({
    NODE_ENV: "test",
    SESSION_SECRET: TEST_SECRET,
    RATE_LIMITS: "off",
    REDIS_SENTINELS: sentinel.sentinels.map(({ host, port }) => `${host}:${port}`).join(","),
    REDIS_SENTINEL_NAME: sentinel.name,
    PRESENCE_GRACE_MS: String(Math.max(TEST_PRESENCE_GRACE_MS, 500)),
    REDIS_COMMAND_TIMEOUT_MS: "1000",
  });
  return createServices(config, undefined, new MemoryAccountStore());
}
describe("rooms on Redis with Sentinel, through a failover", () => {
  // Its own primary, replica and sentinel: killing the primary must not disturb other suites, and
  // only this file needs them.
  let sentinel: TestRedisSentinel;
  let services: Services;
  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    services = servicesOn(sentinel);
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
      // The promoted replica is another primary: ids jump past any the old one could have handed
      // out (decision 031), though this time it lost nothing.
      const jumped = 3 + ID_JUMP + 1;
      expect(resent).toMatchObject({ id: jumped, clientId: "a-after-1" });
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
        [jumped, "after 1"],
        [jumped + 1, "after 2"],
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

/** A person as their browser keeps the conversation: the reducer of app/lib/conversation.ts. */
class Person {
  conversation: Conversation = emptyConversation;
  readonly lostSpans: Array<[number, number]> = [];
  /** Applies the stream's events from `from` on; returns where it got to. */
  follow(items: ReadonlyArray<unknown>, from: number): number {
    for (const item of items.slice(from)) {
      const event = Array.isArray(item) ? (item[1] as RoomEvent) : (item as { data: RoomEvent }).data;
      if (event.type === "message") this.conversation = confirm(this.conversation, shown(event.message));
      if (event.type === "lost") {
        this.lostSpans.push([event.after, event.before]);
        this.conversation = markLost(this.conversation, event.after, event.before);
      }
    }
    return items.length;
  }
  /** The texts of `author`'s messages in the log, in its order. */
  texts(prefix: string): string[] {
    return this.conversation.confirmed.map((message) => message.text).filter((text) => text.startsWith(prefix));
  }
  notSent(): string[] {
    return this.conversation.pending.filter((item) => item.status === "failed").map((item) => item.text);
  }
}

const shown = (message: {
  id: number;
  ciphertext: string;
  clientId: string;
  timestamp: number;
  mine: boolean;
}): ChatMessage => ({
  id: message.id,
  sender: "",
  text: fromOpaque(message.ciphertext),
  timestamp: message.timestamp,
  mine: message.mine,
  clientId: message.clientId,
});

describe("two people sending 500 messages while the primary is killed (three sentinels)", () => {
  let sentinel: TestRedisSentinel;
  let services: Services;
  let readyz: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    sentinel = await startRedisSentinel({ sentinels: 3 });
    services = servicesOn(sentinel);
    // The server's own /readyz route, checking these services as the server checks its own.
    const app = express().use(
      healthRoutes({ checkStore: async () => (await services.store.ping(), services.store.kind), timeoutMs: 1000 }),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    readyz = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }, 30_000);
  afterAll(async () => {
    try {
      await readyz?.close();
      await Promise.race([services?.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    } finally {
      await sentinel?.stop();
    }
  });

  it("delivers each message once and in order, or shows its sender it was not sent; ready again without a restart", async () => {
    const PER_PERSON = 250;
    const [primaryPort, replicaPort] = sentinel.ports;
    const replica = new Redis({ host: "127.0.0.1", port: replicaPort });
    replica.on("error", () => {});
    try {
      const { roomId } = await callerFor(services).room.create();
      const callers = {
        a: callerFor(services, await joinAsNewVisitor(services, roomId)),
        b: callerFor(services, await joinAsNewVisitor(services, roomId)),
      };
      const people = { a: new Person(), b: new Person() };
      const streams = {
        a: collect(await callers.a.room.events({ roomId })),
        b: collect(await callers.b.room.events({ roomId })),
      };
      const readiness: Array<{ at: number; status: number }> = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const status = await fetch(readyz.url).then(
            (response) => response.status,
            () => 0,
          );
          readiness.push({ at: Date.now(), status });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();

      let acknowledged = 0;
      let killedAt = 0;
      const refusals = new Set<string>();
      /** One person's sends in order, each retried (same clientId) until stored, as the outbox does. */
      const sendAll = async (who: "a" | "b") => {
        for (let index = 0; index < PER_PERSON; index += 1) {
          const clientId = `${who}-${index}`;
          const stored = await waitFor(
            async () => {
              try {
                return await callers[who].message.send({ roomId, ciphertext: opaque(`${who} ${index}`), clientId });
              } catch (error) {
                refusals.add(error instanceof TRPCError ? error.code : String(error));
                return null;
              }
            },
            { timeoutMs: 30_000, intervalMs: 100, what: `${clientId} stored` },
          );
          acknowledged += 1;
          // The answer carries no text: the sender shows its own, as a browser does.
          const sent = { ...stored, ciphertext: opaque(`${who} ${index}`), mine: true };
          people[who].conversation = confirm(people[who].conversation, shown(sent));
        }
      };
      const sending = Promise.all([sendAll("a"), sendAll("b")]);

      // A third of the way in, the replica loses its link and cannot get it back (a password the
      // primary refuses), so what the primary acknowledges next reaches no replica, as in a
      // network partition. Then the primary dies.
      await waitFor(() => acknowledged >= 150, { timeoutMs: 20_000, what: "150 messages stored" });
      // Counted before the link goes: what is acknowledged while it goes may not have reached the replica.
      const cut = acknowledged;
      await replica.config("SET", "masterauth", "not-the-primary-password");
      await replica.call("CLIENT", "KILL", "TYPE", "master");
      await waitFor(() => acknowledged >= cut + 20, { timeoutMs: 5000, what: "sends the replica never got" });
      expect(await replica.info("replication")).toContain("master_link_status:down");
      await sentinel.kill(primaryPort);
      killedAt = Date.now();
      const unreplicated = acknowledged - cut;

      await sending;
      const recoveredMs = Date.now() - killedAt;
      expect(await sentinel.primaryPort()).toBe(replicaPort);
      expect([...refusals].every((code) => code === "SERVICE_UNAVAILABLE")).toBe(true);

      // Everything is on both streams once they have caught up: each person's last message.
      const cursors = { a: 0, b: 0 };
      const caughtUp = () => {
        cursors.a = people.a.follow(streams.a.items, cursors.a);
        cursors.b = people.b.follow(streams.b.items, cursors.b);
        return (["a", "b"] as const).every((who) =>
          (["a", "b"] as const).every((author) =>
            people[who].texts(`${author} `).includes(`${author} ${PER_PERSON - 1}`),
          ),
        );
      };
      await waitFor(caughtUp, { timeoutMs: 15_000, what: "both streams to carry the last messages" });

      const lost = { a: people.a.notSent(), b: people.b.notSent() };
      for (const author of ["a", "b"] as const) {
        const reader = author === "a" ? "b" : "a";
        const sent = Array.from({ length: PER_PERSON }, (_, index) => `${author} ${index}`);
        const delivered = sent.filter((text) => !lost[author].includes(text));
        // Each one not shown to its sender as "Not sent" is in both logs exactly once, in order.
        expect(people[author].texts(`${author} `)).toEqual(delivered);
        const readerSees = people[reader].texts(`${author} `);
        expect(readerSees.filter((text) => delivered.includes(text))).toEqual(delivered);
        // What the reader has beyond those is what its sender was told was lost.
        expect(
          readerSees.filter((text) => !delivered.includes(text)).every((text) => lost[author].includes(text)),
        ).toBe(true);
      }
      // Only messages acknowledged after the replica stopped listening are lost, and some were.
      expect(lost.a.length + lost.b.length).toBeGreaterThan(0);
      expect(lost.a.length + lost.b.length).toBeLessThanOrEqual(unreplicated);

      // Retry (same clientId): each lost message is stored once more and both logs hold it once.
      for (const author of ["a", "b"] as const) {
        for (const text of lost[author]) {
          const clientId = `${author}-${text.split(" ")[1]}`;
          const stored = await callers[author].message.send({ roomId, ciphertext: opaque(text), clientId });
          const sent = { ...stored, ciphertext: opaque(text), mine: true };
          people[author].conversation = confirm(people[author].conversation, shown(sent));
        }
      }
      await waitFor(
        () => {
          caughtUp();
          return (["a", "b"] as const).every((who) =>
            (["a", "b"] as const).every((author) => lost[author].every((text) => people[who].texts(text).length === 1)),
          );
        },
        { timeoutMs: 10_000, what: "the retried messages on both streams" },
      );
      for (const who of ["a", "b"] as const) {
        expect(people[who].notSent()).toEqual([]);
        for (const author of ["a", "b"] as const) {
          const texts = people[who].texts(`${author} `);
          expect(texts).toHaveLength(PER_PERSON);
          expect(new Set(texts).size).toBe(PER_PERSON);
        }
      }

      // /readyz said so while no primary answered, and says ready again without a restart.
      await waitFor(() => readiness.at(-1)?.status === 200, { what: "/readyz ready again" });
      polling = false;
      await poller;
      const during = readiness.filter(({ at }) => at > killedAt);
      expect(during.some(({ status }) => status === 503)).toBe(true);
      expect(during.at(-1)?.status).toBe(200);
      console.info(
        `[failover] unreplicated acks ${unreplicated}, lost ${lost.a.length + lost.b.length}, ` +
          `spans ${JSON.stringify(people.a.lostSpans.slice(0, 1))}, all 500 stored ${recoveredMs} ms after the kill, ` +
          `/readyz 503 for ${during.filter(({ status }) => status !== 200).length} polls`,
      );
    } finally {
      replica.disconnect();
    }
  }, 90_000);
});
