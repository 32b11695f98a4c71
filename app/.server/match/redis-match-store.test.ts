import { Redis, type Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { makeMatchStores, testStrangerQueue } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import type { RedisClient } from "../redis/connections";
import { matchKeys, roomKeys } from "../redis/keys";
import { newRoomId } from "../room-token";
import { claimFor, type RoomStore } from "../rooms/types";
import { FORGET_AFTER_MS } from "./match-stats";
import type { MatchStore } from "./types";

/** What the queue leaves in Redis: little, hashed, and all of it with a deadline. Database 3. */
describe("RedisMatchStore specifics", () => {
  let rooms: RoomStore;
  let matches: MatchStore;
  let admin: Redis;
  beforeAll(() => {
    ({ rooms, matches } = makeMatchStores("redis", 3));
    admin = new Redis(`${inject("redisUrl")}/3`);
  });
  afterAll(async () => {
    await matches.close();
    await rooms.close();
    await admin.quit();
  });

  it("gives every key a deadline and keeps only a short-lived note of the last partner after a chat", async () => {
    const [alice, bob] = ["visitor-hash-alice", "visitor-hash-bob"];
    await matches.find(alice, { roomId: newRoomId(), roomTtlMs: 60_000 });
    const matched = await matches.find(bob, { roomId: newRoomId(), roomTtlMs: 60_000 });
    if (matched.status !== "matched") throw new Error("expected a match");
    // Alice's page is open: she counts as online by a hash of her seat, not by the room's id.
    await rooms.join(matched.roomId, "alice-member", claimFor(alice));
    const closePage = await rooms.connect(matched.roomId, 1);
    const here = await admin.zrange("match:here", 0, -1);
    expect(here).toHaveLength(1);
    expect(here[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(await admin.pttl("match:here")).toBeGreaterThan(0);
    closePage();
    await matches.end(alice, matched.roomId, { block: true });
    expect(await admin.exists("match:here")).toBe(0);

    const keys = await admin.keys("*");
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect({ key, ttl }).toEqual({ key, ttl: expect.any(Number) });
      expect(ttl, key).toBeGreaterThan(0);
    }
    for (const visitor of [alice, bob]) {
      expect(await admin.hgetall(`match:v:${visitor}`)).toEqual({
        last: visitor === alice ? bob : alice,
        lastUntil: expect.stringMatching(/^\d+$/),
      });
      expect(await admin.pttl(`match:v:${visitor}`)).toBeLessThanOrEqual(FORGET_AFTER_MS);
    }
    // The block is a hash of the pair, nothing else, until the end of the day.
    const blocks = keys.filter((key) => key.startsWith("match:block:"));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatch(/^match:block:[0-9a-f]{40}$/);
    expect(await admin.pttl(blocks[0]!)).toBeLessThanOrEqual(86_400_000);
    // Stats are counts in buckets: no ids.
    const stats = keys.filter((key) => key.startsWith("match:stats:"));
    for (const key of stats) {
      const fields = Object.keys(await admin.hgetall(key));
      for (const field of fields) expect(field).toMatch(/^(m|w\d+|c\d+)$/);
    }
    // Of the room itself, only the note that it was ended on purpose, for a minute at most.
    expect(keys.filter((key) => key.includes(matched.roomId))).toEqual([`room:{${matched.roomId}}:ended`]);
    expect(await admin.get(`room:{${matched.roomId}}:ended`)).toBe("d");
    expect(await admin.pttl(`room:{${matched.roomId}}:ended`)).toBeLessThanOrEqual(60_000);
    expect(await rooms.wasEnded(matched.roomId)).toBe(true);
  });

  it("pairs two who just talked once their cooldown is over, and forgets who the partner was", async () => {
    const [alice, bob] = ["visitor-hash-carol", "visitor-hash-dave"];
    await matches.find(alice, { roomId: newRoomId(), roomTtlMs: 60_000 });
    const first = await matches.find(bob, { roomId: newRoomId(), roomTtlMs: 60_000 });
    if (first.status !== "matched") throw new Error("expected a match");
    await matches.end(alice, first.roomId, { block: false });
    for (const visitor of [alice, bob]) {
      expect(await matches.find(visitor, { roomId: newRoomId(), roomTtlMs: 60_000 })).toMatchObject({
        status: "waiting",
      });
    }
    expect(await matches.state(alice)).toMatchObject({ lastPartnerUntil: expect.any(Number) });
    // Ten minutes later, as far as the records go.
    for (const visitor of [alice, bob]) await admin.hset(`match:v:${visitor}`, "lastUntil", "1");
    expect(await matches.state(alice)).toEqual({ status: "waiting", since: expect.any(Number) });
    const again = await matches.find(bob, { roomId: newRoomId(), roomTtlMs: 60_000 });
    expect(again).toMatchObject({ status: "matched" });
    expect(await matches.state(alice)).toEqual(again);
    if (again.status === "matched") await matches.end(bob, again.roomId, { block: false });

    // A search after the cooldown keeps nothing about the partner before it.
    await admin.hset(`match:v:${alice}`, "lastUntil", "1");
    await matches.find(alice, { roomId: newRoomId(), roomTtlMs: 60_000 });
    expect(await admin.hgetall(`match:v:${alice}`)).toEqual({ state: "waiting", since: expect.any(String) });
    await matches.cancel(alice);
  });
});

/** On a Cluster the queue is one slot: every key it leaves carries its hash tag, with a deadline. */
describe("RedisMatchStore specifics on a Redis Cluster", () => {
  let rooms: RoomStore;
  let matches: MatchStore;
  let admin: Cluster;
  const keys = matchKeys(true, testStrangerQueue(3));
  beforeAll(() => {
    let redis: RedisClient | undefined;
    ({ rooms, matches, redis } = makeMatchStores("cluster", 3));
    admin = redis as Cluster;
  });
  afterAll(async () => {
    await matches.close();
    await rooms.close();
  });

  it("keeps every key of the queue in its one slot, each with a deadline", async () => {
    const [alice, bob] = ["visitor-hash-erin", "visitor-hash-frank"];
    await matches.find(alice, { roomId: newRoomId(), roomTtlMs: 60_000 });
    const matched = await matches.find(bob, { roomId: newRoomId(), roomTtlMs: 60_000 });
    if (matched.status !== "matched") throw new Error("expected a match");
    await rooms.join(matched.roomId, "alice-member", claimFor(alice));
    const closePage = await rooms.connect(matched.roomId, 1);
    await waitFor(async () => (await admin.zcard(keys.here)) === 1, { what: "alice counted as here" });
    closePage();
    await matches.end(alice, matched.roomId, { block: true });
    await matches.find(alice, { roomId: newRoomId(), roomTtlMs: 60_000 });

    const found = (await Promise.all(admin.nodes("master").map((node) => node.keys(`${keys.prefix}*`)))).flat();
    for (const part of ["queue", "lease", "ticket", "v:", "block:", "stats:"]) {
      expect(
        found.some((key) => key.startsWith(`${keys.prefix}${part}`)),
        part,
      ).toBe(true);
    }
    const slots = new Set(await Promise.all(found.map((key) => admin.cluster("KEYSLOT", key))));
    expect(slots.size).toBe(1);
    for (const key of found) expect(await admin.pttl(key), key).toBeGreaterThan(0);
    expect(await admin.hgetall(keys.visitor(bob))).toEqual({ last: alice, lastUntil: expect.stringMatching(/^\d+$/) });
    // Of the room, on its own primary, only the note that it was ended on purpose.
    expect(await rooms.wasEnded(matched.roomId)).toBe(true);
    expect(await admin.exists(roomKeys(matched.roomId).meta)).toBe(0);
    await matches.cancel(alice);
  });
});
