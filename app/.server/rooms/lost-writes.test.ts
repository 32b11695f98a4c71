import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { clusterTarget, collect, createRoom, redisRoomStore, sendAs } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { parseClusterNodes } from "../redis/connections";
import { roomKeys } from "../redis/keys";
import { newRoomId } from "../room-token";
import type { RedisRoomStore } from "./redis-store";
import { roomEventStream, type RoomStreamEvent } from "./room-event-stream";
import { ID_JUMP } from "./redis-scripts";

type Admin = Redis | Cluster;

/**
 * What a promoted replica holds of a room whose last writes never reached it: the messages after
 * `keep` gone (their clientIds with them), the counter back at `keep`, and the meta's epoch still
 * the old primary's (replicated with the writes it did get), which differs from the replica's own
 * `master_replid` once promoted. Key layout: redis-scripts.ts (`seq`, `ep` in the meta hash).
 */
async function loseWritesAfter(admin: Admin, roomId: string, keep: number) {
  const keys = roomKeys(roomId);
  const seq = Number(await admin.hget(keys.meta, "seq"));
  for (let id = seq; id > keep; id -= 1) {
    const record = (await admin.rpop(keys.messages))!;
    const [, author, , clientId] = record.split("|");
    if (clientId) await admin.hdel(keys.clientIds, `${author}:${clientId}`);
  }
  await admin.hset(keys.meta, "seq", keep, "ep", "0123456789abcdef0123456789abcdef01234567");
}

const messageIds = (items: RoomStreamEvent[]) =>
  items.flatMap((item) => (item.type === "message" ? [[item.message.id, item.message.ciphertext]] : []));
const lostSpans = (items: RoomStreamEvent[]) =>
  items.flatMap((item) => (item.type === "lost" ? [[item.after, item.before]] : []));

describe.each(["redis", "cluster"] as const)("acknowledged writes lost in a failover (%s)", (kind) => {
  let store: RedisRoomStore;
  let admin: Admin;
  beforeAll(async () => {
    const target = kind === "cluster" ? clusterTarget() : inject("redisUrl");
    store = redisRoomStore(target);
    admin =
      kind === "cluster" ? new Cluster(parseClusterNodes(inject("redisClusterNodes"))) : new Redis(inject("redisUrl"));
  });
  afterAll(async () => {
    await Promise.all([store.close(), admin.quit()]);
  });

  async function roomWithReader() {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    await store.join(roomId, "bob");
    const controller = new AbortController();
    const reader = collect(
      roomEventStream(store, { roomId, seat: 2, afterId: 0, ttlMs: 60_000, signal: controller.signal }),
    );
    return { roomId, reader, stop: () => controller.abort() };
  }

  it("never hands out an id twice: the reader gets the next message, and the lost one's sender is told", async () => {
    const { roomId, reader, stop } = await roomWithReader();
    try {
      await waitFor(() => reader.items.some((item) => item.type === "members"), { what: "the reader's stream" });
      for (const n of [1, 2, 3]) await sendAs(store, roomId, "alice", `m${n}`, `a-${n}`);
      await waitFor(() => messageIds(reader.items).length === 3, { what: "message 3 on the reader's stream" });

      await loseWritesAfter(admin, roomId, 2);
      // Without the epoch this would be id 3 again, which the reader's stream drops as seen.
      const next = await sendAs(store, roomId, "bob", "after the failover", "b-1");
      const before = 2 + ID_JUMP + 1;
      expect(next).toMatchObject({ id: before, ciphertext: "after the failover" });
      await waitFor(() => messageIds(reader.items).length === 4, { what: "the new message on the reader's stream" });
      expect(messageIds(reader.items)).toEqual([
        [1, "m1"],
        [2, "m2"],
        [3, "m3"],
        [before, "after the failover"],
      ]);
      expect(lostSpans(reader.items)).toEqual([[2, before]]);

      // Alice's stream, resumed from the id of her acknowledged message, says it is gone.
      const controller = new AbortController();
      const alice = collect(
        roomEventStream(store, { roomId, seat: 1, afterId: 3, ttlMs: 60_000, signal: controller.signal }),
      );
      await waitFor(() => alice.items.some((item) => item.type === "members"), { what: "alice's resumed stream" });
      controller.abort();
      expect(lostSpans(alice.items)).toEqual([[2, before]]);
      expect(messageIds(alice.items)).toEqual([[before, "after the failover"]]);

      // Her retry (same clientId) is stored anew; one from before the loss is still found as a repeat.
      expect(await store.appendMemberMessage(roomId, "alice", { ciphertext: "m3", clientId: "a-3" })).toMatchObject({
        status: "stored",
        message: { id: before + 1 },
      });
      expect(await store.appendMemberMessage(roomId, "alice", { ciphertext: "x", clientId: "a-2" })).toMatchObject({
        status: "duplicate",
        message: { id: 2, ciphertext: "m2" },
      });
      expect(await store.appendMemberMessage(roomId, "alice", { ciphertext: "x", clientId: "a-3" })).toMatchObject({
        status: "duplicate",
        message: { id: before + 1, ciphertext: "m3" },
      });
      // Reads across the jump: from anywhere, with a limit.
      const ids = async (after: number, limit?: number) =>
        (await store.messagesAfter(roomId, after, { limit }))!.map((message) => message.id);
      expect(await ids(0)).toEqual([1, 2, before, before + 1]);
      expect(await ids(1, 2)).toEqual([2, before]);
      expect(await ids(3, 1)).toEqual([before]);
      expect(await ids(before)).toEqual([before + 1]);
      expect(await ids(before + 1)).toEqual([]);
      // The next send on the same primary takes the next id: one jump per failover.
      expect(await sendAs(store, roomId, "bob", "again", "b-2")).toMatchObject({ id: before + 2 });
    } finally {
      stop();
    }
  });

  it("tells a stream that re-reads after the failover, before anyone sends, which of its ids are gone", async () => {
    const { roomId, reader, stop } = await roomWithReader();
    try {
      for (const n of [1, 2, 3, 4]) await sendAs(store, roomId, "alice", `m${n}`, `a-${n}`);
      await waitFor(() => messageIds(reader.items).length === 4, { what: "the messages on the reader's stream" });
      await loseWritesAfter(admin, roomId, 2);
      // A failover reconnects the subscriber, which tells every stream to re-read.
      (store as unknown as { fanout: { deliver(roomId: string, event: { type: "resync" }): void } }).fanout.deliver(
        roomId,
        { type: "resync" },
      );
      await waitFor(() => lostSpans(reader.items).length === 1, { what: "the lost span on the reader's stream" });
      expect(lostSpans(reader.items)).toEqual([[2, 5]]);
      const next = await sendAs(store, roomId, "alice", "m3 again", "a-3");
      await waitFor(() => messageIds(reader.items).length === 5, { what: "the retried message" });
      expect(messageIds(reader.items).at(-1)).toEqual([next!.id, "m3 again"]);
      expect(next!.id).toBeGreaterThan(4);
    } finally {
      stop();
    }
  });

  it("reads what a live stream missed when a message arrives past the next id", async () => {
    const { roomId, reader, stop } = await roomWithReader();
    try {
      await sendAs(store, roomId, "alice", "m1", "a-1");
      await waitFor(() => messageIds(reader.items).length === 1, { what: "message 1 on the reader's stream" });
      // Stored but never published: as if published while the subscriber was reconnecting.
      const keys = roomKeys(roomId);
      await admin.rpush(keys.messages, `2|1|${Date.now()}|a-2|m2`, `3|1|${Date.now()}|a-3|m3`);
      await admin.hset(keys.meta, "seq", 3);
      await sendAs(store, roomId, "alice", "m4", "a-4");
      await waitFor(() => messageIds(reader.items).length === 4, { what: "the missed messages, then the live one" });
      expect(messageIds(reader.items)).toEqual([
        [1, "m1"],
        [2, "m2"],
        [3, "m3"],
        [4, "m4"],
      ]);
    } finally {
      stop();
    }
  });

  it("jumps a direct chat's ids too, and finds its messages across the jump", async () => {
    const chatId = newRoomId();
    await store.openDirectChat(chatId, ["alice", "bob"], 60_000);
    for (const n of [1, 2, 3]) await sendAs(store, chatId, "alice", `m${n}`, `a-${n}`);
    const keys = roomKeys(chatId);
    await admin.rpop(keys.messages);
    await admin.hdel(keys.clientIds, "1:a-3");
    await admin.hset(keys.meta, "seq", 2, "ep", "0123456789abcdef0123456789abcdef01234567");
    const before = 2 + ID_JUMP + 1;
    expect(await sendAs(store, chatId, "bob", "after", "b-1")).toMatchObject({ id: before });
    expect(await sendAs(store, chatId, "alice", "x", "a-1")).toMatchObject({ id: 1, ciphertext: "m1" });
    expect((await store.messagesAfter(chatId, 1, { limit: 2 }))!.map((message) => message.id)).toEqual([2, before]);
    expect((await store.roomState(chatId))?.lost).toEqual({ after: 2, before });
  });
});
