import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { clusterTarget } from "../../../tests/support/stores";
import { RedisRoomStore } from "../rooms/redis-store";
import { createRedisConnections, type RedisConnections } from "./connections";
import { RedisSlotCounter } from "./stream-slots";

/**
 * Stream slots counted in Redis, on one Redis (one script over both keys) and on a Redis Cluster
 * (where the person's and the address's counts sit in different slots and are claimed one by one).
 */
describe.each(["redis", "cluster"] as const)("RedisSlotCounter (%s)", (kind) => {
  let connections: RedisConnections;
  let rooms: RedisRoomStore;
  let slots: RedisSlotCounter;
  beforeAll(() => {
    connections = createRedisConnections(kind === "cluster" ? clusterTarget() : inject("redisUrl"));
    rooms = new RedisRoomStore(connections);
    slots = new RedisSlotCounter(connections.commands, rooms.instance);
  });
  afterAll(async () => {
    await slots.close();
    await rooms.close();
    await connections.close();
  });

  const claim = (cap: number) => ({ key: randomBytes(9).toString("base64url"), cap });

  it("lets a person open streams up to their cap, and a released one frees its slot", async () => {
    const person = claim(2);
    const address = claim(10);
    const first = await slots.acquire(person, address);
    const second = await slots.acquire(person, address);
    expect(first).toHaveProperty("release");
    expect(second).toHaveProperty("release");
    expect(await slots.acquire(person, address)).toEqual({ full: 0 });
    if ("release" in first) first.release();
    await slots.close(); // waits for the release to reach Redis
    expect(await slots.acquire(person, address)).toHaveProperty("release");
  });

  it("refuses at the address's cap without counting the refused stream against its person", async () => {
    const address = claim(1);
    const alice = claim(1);
    const bob = claim(1);
    expect(await slots.acquire(alice, address)).toHaveProperty("release");
    expect(await slots.acquire(bob, address)).toEqual({ full: 1 });
    await slots.close();
    // Bob holds nothing: from another address his one stream is let in.
    expect(await slots.acquire(bob, claim(5))).toHaveProperty("release");
  });
});
