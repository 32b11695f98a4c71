import { Cluster, type Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { clusterTarget, createRoom, redisRoomStore, sendAs } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { allRoomKeys, matchKeys, roomKeys, strangerSeat } from "../redis/keys";
import { parseClusterNodes } from "../redis/connections";
import { checkEviction, checkPersistence } from "../redis/settings-check";
import { createHash, randomBytes } from "node:crypto";
import type { PublishedEvent } from "./types";
import type { RedisRoomStore } from "./redis-store";

/** Enough rooms that each of the 3 primaries holds several (a room's slot is random). */
const ROOMS = 30;

/**
 * The room store on the suite's 3-primary Redis Cluster, beyond the contract suites: rooms land
 * on every primary, each is fully usable there, and ending one leaves nothing on any node.
 */
describe("RedisRoomStore on a Redis Cluster", () => {
  let store: RedisRoomStore;
  let cluster: Cluster;
  let primaries: Redis[];
  beforeAll(async () => {
    store = redisRoomStore(clusterTarget(), { presenceGraceMs: 300 });
    cluster = new Cluster(parseClusterNodes(inject("redisClusterNodes")));
    await cluster.cluster("INFO");
    primaries = cluster.nodes("master");
  });
  afterAll(async () => {
    await store.close();
    await cluster.quit();
  });

  /** Every key of the room, on whichever node holds it. */
  async function keysOf(roomId: string): Promise<string[]> {
    const found = await Promise.all(primaries.map((node) => node.keys(`room:{${roomId}}:*`)));
    return found.flat().sort();
  }

  it("spreads rooms over every primary, each fully usable, and ending one leaves nothing behind", async () => {
    const roomIds = await Promise.all(Array.from({ length: ROOMS }, () => createRoom(store)));
    const holders = await Promise.all(
      roomIds.map(async (roomId) => {
        const slot = (await cluster.cluster("KEYSLOT", roomKeys(roomId).meta)) as number;
        const counts = await Promise.all(primaries.map((node) => node.cluster("COUNTKEYSINSLOT", slot)));
        expect(counts.filter((count) => Number(count) > 0)).toHaveLength(1);
        return counts.findIndex((count) => Number(count) > 0);
      }),
    );
    expect(new Set(holders)).toEqual(new Set(primaries.map((_, index) => index)));

    await Promise.all(
      roomIds.map(async (roomId) => {
        expect(await store.join(roomId, "alice")).toMatchObject({ status: "joined", seat: 1 });
        expect(await store.join(roomId, "bob")).toMatchObject({ status: "joined", seat: 2 });
        const events: PublishedEvent[] = [];
        const unsubscribe = await store.subscribe(roomId, (event) => events.push(event));
        const disconnect = await store.connect(roomId, 1);
        await waitFor(() => events.some((event) => event.type === "presence" && event.here), {
          what: "alice shown as here",
        });
        const sent = await sendAs(store, roomId, "bob", "sealed", "c1");
        expect(await store.setTyping(roomId, 1, { name: "sealed-name" })).toBe(true);
        expect(await store.markReceipts(roomId, 1, 1, 1)).toBe(true);
        expect(await store.putImage(roomId, "alice", "img1", new Uint8Array([1, 2, 3]))).toBe("stored");
        expect(await store.getImage(roomId, "bob", "img1")).toMatchObject({ status: "found" });
        await waitFor(() => events.some((event) => event.type === "message"), { what: "the sent message" });
        expect(await store.messagesAfter(roomId, 0)).toEqual([sent]);
        expect((await store.roomState(roomId))?.presence).toContainEqual({ seat: 1, here: true, lastSeen: null });
        disconnect();
        expect(await store.destroy(roomId)).toBe(true);
        await waitFor(() => events.some((event) => event.type === "destroyed"), { what: "the room's end" });
        unsubscribe();
        // Only the minute-long marker that the room was ended on purpose remains.
        expect(await keysOf(roomId)).toEqual([roomKeys(roomId).ended]);
        expect(await store.wasEnded(roomId)).toBe(true);
      }),
    );
    for (const roomId of roomIds) for (const key of allRoomKeys(roomId)) await cluster.del(key);
  });

  it("refuses a script that reads an undeclared key on another primary, as the contract suites rely on", async () => {
    const nodeOf = async (key: string) => {
      const slot = (await cluster.cluster("KEYSLOT", key)) as number;
      return cluster.slots[slot]![0];
    };
    let roomId = await createRoom(store);
    while ((await nodeOf(roomKeys(roomId).meta)) === (await nodeOf("ephemera:instances"))) {
      roomId = await createRoom(store);
    }
    const lua = "return {redis.call('EXISTS', KEYS[1]), redis.call('EXISTS', 'ephemera:instances')}";
    await expect(cluster.eval(lua, 1, roomKeys(roomId).meta)).rejects.toThrow(/non local key/);
  });

  it("keeps a stranger chat's people counted as here, in the strangers-here set's own slot", async () => {
    const roomId = await createRoom(store);
    await cluster.hset(roomKeys(roomId).meta, "kind", "match");
    await store.join(roomId, "alice");
    const entry = createHash("sha1").update(strangerSeat(roomId, 1)).digest("hex");
    const disconnect = await store.connect(roomId, 1);
    await waitFor(async () => (await cluster.zscore(matchKeys(true).here, entry)) !== null, {
      what: "the seat counted as here",
    });
    disconnect();
    expect(await store.destroy(roomId)).toBe(true);
  });

  it("answers readiness by writing to every primary, and checks every primary's settings", async () => {
    await store.ping();
    const probes = await Promise.all(primaries.map((node) => node.keys("ephemera:ready:*")));
    expect(probes.every((keys) => keys.length > 0)).toBe(true);
    expect(await checkPersistence(cluster)).toEqual({ status: "ephemeral" });
    expect(await checkEviction(cluster)).toEqual({ status: "noeviction" });
  });

  it("resubscribes when a primary drops the subscriber, tells listeners to re-read, and delivers again", async () => {
    const name = `resubscribe-${randomBytes(6).toString("hex")}`;
    const other = redisRoomStore(clusterTarget(), { connectionName: name });
    try {
      const roomId = await createRoom(store);
      await store.join(roomId, "alice");
      const events: PublishedEvent[] = [];
      const unsubscribe = await other.subscribe(roomId, (event) => events.push(event));
      await sendAs(store, roomId, "alice", "before");
      await waitFor(() => events.some((event) => event.type === "message"), { what: "the first message" });
      const resyncs = () => events.filter((event) => event.type === "resync").length;
      const resyncsBefore = resyncs();
      // Drop this process's sharded subscriber connections, and only those, on every primary.
      let dropped = 0;
      for (const node of primaries) {
        const clients = String(await node.call("CLIENT", "LIST", "TYPE", "pubsub")).split("\n");
        for (const client of clients.filter((line) => line.includes(`name=ioredis-cluster(ssubscriber):${name}`))) {
          dropped += Number(await node.call("CLIENT", "KILL", "ID", /\bid=(\d+)/.exec(client)![1]!));
        }
      }
      expect(dropped).toBeGreaterThan(0);
      await waitFor(() => resyncs() > resyncsBefore, { what: "the re-read", timeoutMs: 10_000 });
      // Told to re-read only once the subscription is confirmed again: nothing sent now is missed.
      const after = await sendAs(store, roomId, "alice", "after");
      await waitFor(() => events.some((event) => event.type === "message" && event.message.id === after?.id), {
        what: "the message sent after the re-read",
      });
      unsubscribe();
      await store.destroy(roomId);
    } finally {
      await other.close();
    }
  });

  it("delivers a room's events to a second process's subscriber over the shard channel", async () => {
    const other = redisRoomStore(clusterTarget());
    try {
      const roomId = await createRoom(store);
      await store.join(roomId, "alice");
      const events: PublishedEvent[] = [];
      const unsubscribe = await other.subscribe(roomId, (event) => events.push(event));
      const sent = await sendAs(store, roomId, "alice", "hello");
      await waitFor(() => events.find((event) => event.type === "message"), { what: "the message, elsewhere" });
      expect(events).toContainEqual({ type: "message", message: sent });
      unsubscribe();
      await store.destroy(roomId);
    } finally {
      await other.close();
    }
  });
});
