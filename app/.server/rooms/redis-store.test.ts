import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collect, createRoom, redisRoomStore, sendAs } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { roomChannel } from "../redis/keys";
import { newRoomId } from "../room-token";
import type { RedisRoomStore } from "./redis-store";
import { MESSAGE_CAP } from "./types";
import { roomEventStream } from "./room-event-stream";

describe("RedisRoomStore specifics", () => {
  let store: RedisRoomStore;
  let other: RedisRoomStore;
  let admin: Redis;

  beforeAll(() => {
    store = redisRoomStore(inject("redisUrl"));
    other = redisRoomStore(inject("redisUrl"));
    admin = new Redis(inject("redisUrl"));
  });
  afterAll(async () => {
    await Promise.all([store.close(), other.close(), admin.quit()]);
  });

  async function roomKeysWithDeadlines(roomId: string) {
    const keys = await admin.keys(`room:{${roomId}}:*`);
    return Promise.all(keys.map(async (key) => ({ key, deadline: await admin.pexpiretime(key) })));
  }

  it("gives every key of a room the room's own deadline, after every kind of write", async () => {
    const roomId = await createRoom(store, 120_000);
    const deadline = Number(await admin.hget(`room:{${roomId}}:meta`, "exp"));
    expect(deadline).toBeGreaterThan(Date.now());

    const check = async (expectedKeys: number) => {
      const keys = await roomKeysWithDeadlines(roomId);
      expect(keys).toHaveLength(expectedKeys);
      for (const { key, deadline: keyDeadline } of keys) {
        expect({ key, deadline: keyDeadline }).toEqual({ key, deadline });
      }
    };
    await check(1);
    await store.join(roomId, "alice");
    await check(2);
    await sendAs(store, roomId, "alice", "hello");
    await check(3);
    await store.join(roomId, "bob");
    await sendAs(store, roomId, "bob", "hi", "c1");
    await check(4);
    const close = await store.connect(roomId, 2);
    await check(5);
    await store.setTyping(roomId, 2, { name: "bob" });
    await store.markReceipts(roomId, 2, 1, 1);
    await store.publishKeys(roomId, 2, "x25519:bob");
    close();
    await waitFor(async () => (await admin.hget(`room:{${roomId}}:live`, "g:2")) !== null, {
      what: "the grace period",
    });
    await check(5);
    expect(await store.putImage(roomId, "alice", "img-first", new Uint8Array([0, 1, 2, 255]))).toBe("stored");
    await check(6);
    expect(await store.putImage(roomId, "bob", "img-second", new Uint8Array([255, 0]))).toBe("stored");
    await check(6);
    await store.leave(roomId, "bob");
    await check(5); // bob's presence was all the live hash held

    await store.destroy(roomId);
    // All that is left says it was destroyed, for a minute at most and never past its deadline.
    const [ended, ...others] = await roomKeysWithDeadlines(roomId);
    expect(others).toEqual([]);
    expect(ended?.key).toBe(`room:{${roomId}}:ended`);
    expect(await admin.get(`room:{${roomId}}:ended`)).toBe("d");
    expect(ended?.deadline).toBeLessThanOrEqual(Math.min(deadline, Date.now() + 60_000));
    expect(await admin.exists(`room:{${roomId}}:imgs`)).toBe(0);
  });

  it("gives every key of a direct chat its latest message's expiry, and never an earlier one", async () => {
    const chatId = newRoomId();
    const opened = await store.openDirectChat(chatId, ["alice", "bob"], 60_000);
    const deadlines = async () => {
      const keys = await roomKeysWithDeadlines(chatId);
      return Object.fromEntries(keys.map(({ key, deadline }) => [key.slice(key.lastIndexOf(":") + 1), deadline]));
    };
    expect(await deadlines()).toEqual({ meta: opened.expiresAt, members: opened.expiresAt });
    const close = await store.connect(chatId, 1);
    expect(await store.putImage(chatId, "alice", "img-1", new Uint8Array([1, 2, 3]))).toBe("stored");
    const sent = await sendAs(store, chatId, "alice", "hello", "c-1");
    const everyKey = (deadline: number) =>
      Object.fromEntries(["meta", "members", "msgs", "cids", "imgs", "live"].map((name) => [name, deadline]));
    expect(sent!.expiresAt).toBeGreaterThan(opened.expiresAt - 1);
    expect(await deadlines()).toEqual(everyKey(sent!.expiresAt!));
    expect(await admin.hget(`room:{${chatId}}:meta`, "exp")).toBe(String(sent!.expiresAt));
    // A shorter timer: its notice and the next message expire sooner, the chat does not.
    await store.setChatTimer(chatId, 2, 5_000);
    await sendAs(store, chatId, "bob", "soon", "c-2");
    expect(await deadlines()).toEqual(everyKey(sent!.expiresAt!));
    const longer = await store.setChatTimer(chatId, 2, 120_000);
    expect(await deadlines()).toEqual(everyKey(longer!.expiresAt!));
    close();
    await store.destroy(chatId);
  });

  it("stores a direct chat's messages and notices with their expiry", async () => {
    const chatId = newRoomId();
    await store.openDirectChat(chatId, ["alice", "bob"], 60_000);
    await sendAs(store, chatId, "alice", "long", "c-1");
    await store.setChatTimer(chatId, 2, 300);
    await sendAs(store, chatId, "bob", "short");
    await store.setChatTimer(chatId, 1, 60_000);
    const records = await admin.lrange(`room:{${chatId}}:msgs`, 0, -1);
    expect(records).toEqual([
      expect.stringMatching(/^e\d{13}\|1\|1\|\d{13}\|c-1\|long$/),
      expect.stringMatching(/^n\d{13}\|2\|2\|\d{13}\|\|t300$/),
      expect.stringMatching(/^e\d{13}\|3\|2\|\d{13}\|\|short$/),
      expect.stringMatching(/^n\d{13}\|4\|1\|\d{13}\|\|t60000$/),
    ]);
    // Past their expiry, the middle two are never read, though still stored behind the first.
    await waitFor(async () => (await store.messagesAfter(chatId, 0))?.length === 2, {
      what: "the short two to expire",
    });
    expect(await admin.lrange(`room:{${chatId}}:msgs`, 0, -1)).toEqual(records);
    // The next write drops expired records only from the head: here, none.
    await store.clearChat(chatId, 1);
    expect(await admin.lrange(`room:{${chatId}}:msgs`, 0, -1)).toEqual([
      expect.stringMatching(/^n\d{13}\|5\|1\|\d{13}\|\|c$/),
    ]);
    await store.destroy(chatId);
  });

  it("tells a room ended on purpose from one whose keys vanished", async () => {
    const [destroyed, vanished] = [await createRoom(store), await createRoom(store)];
    await store.destroy(destroyed);
    await admin.del(`room:{${vanished}}:meta`);
    expect(await store.wasEnded(destroyed)).toBe(true);
    expect(await store.wasEnded(vanished)).toBe(false);
  });

  it("keeps images in one hash per room, counted against the room's budget", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    const bytes = Uint8Array.from({ length: 256 }, (_, index) => index);
    await store.putImage(roomId, "alice", "img-a", bytes);
    await store.putImage(roomId, "alice", "img-b", bytes.subarray(0, 10));
    expect(await store.putImage(roomId, "alice", "img-a", bytes.subarray(0, 1))).toBe("exists");
    const hash = await admin.hgetallBuffer(`room:{${roomId}}:imgs`);
    expect(Object.keys(hash).sort()).toEqual(["#bytes", "i:img-a", "i:img-b"]);
    expect(new Uint8Array(hash["i:img-a"]!)).toEqual(bytes);
    expect(hash["#bytes"]!.toString()).toBe("266");
    await store.destroy(roomId);
  });

  it("stores a 100-character message's record in under 300 bytes of Redis memory", async () => {
    const roomId = await createRoom(store);
    // As long as a browser's sealed 100-character text with a 20-character name (198 characters).
    const ciphertext = "x".repeat(198);
    await store.join(roomId, "alice");
    await sendAs(store, roomId, "alice", ciphertext, "V1StGXR8_Z5jdHi6B-myT");
    const [record] = await admin.lrange(`room:{${roomId}}:msgs`, 0, -1);
    expect(record).toMatch(new RegExp(`^1\\|1\\|\\d{13}\\|V1StGXR8_Z5jdHi6B-myT\\|${ciphertext}$`));
    expect(Buffer.byteLength(record ?? "")).toBeLessThan(260);
  });

  it("trims a message stored as JSON by the version before, forgetting its clientId with it", async () => {
    const roomId = await createRoom(store);
    const keys = { meta: `room:{${roomId}}:meta`, msgs: `room:{${roomId}}:msgs`, cids: `room:{${roomId}}:cids` };
    await admin.rpush(keys.msgs, JSON.stringify({ id: 1, a: 1, x: "old", ts: 1, c: "legacy-id" }));
    await admin.hset(keys.cids, "1:legacy-id", "1");
    await admin.hset(keys.meta, "seq", 1);
    expect((await store.messagesAfter(roomId, 0))?.[0]).toMatchObject({
      id: 1,
      ciphertext: "old",
      clientId: "legacy-id",
    });
    await store.join(roomId, "alice");
    await store.join(roomId, "bob");
    for (let index = 0; index < MESSAGE_CAP; index += 1) await sendAs(store, roomId, "bob", `m${index}`);
    expect(await admin.hexists(keys.cids, "1:legacy-id")).toBe(0);
    const kept = await store.messagesAfter(roomId, 0);
    expect(kept).toHaveLength(MESSAGE_CAP);
    expect(kept?.[0]).toMatchObject({ id: 2, ciphertext: "m0" });
  });

  it("hash-tags every key with the room id, so all of a room's keys share one hash slot", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    await sendAs(store, roomId, "alice", "x", "c1");
    await store.putImage(roomId, "alice", "img-1", new Uint8Array([1, 2, 3]));
    const close = await store.connect(roomId, 1);
    const keys = (await roomKeysWithDeadlines(roomId)).map(({ key }) => key).sort();
    expect(keys).toEqual(["cids", "imgs", "live", "members", "meta", "msgs"].map((name) => `room:{${roomId}}:${name}`));
    close();
  });

  it("keeps one Redis subscription per room per process, however many streams listen", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const streams = controllers.map((controller) =>
      collect(roomEventStream(store, { roomId, seat: 1, afterId: 0, ttlMs: 60_000, signal: controller.signal })),
    );
    const numsub = async () => Number(((await admin.pubsub("NUMSUB", roomChannel(roomId))) as [string, number])[1]);
    await waitFor(async () => (await numsub()) === 1, { what: "the room's subscription" });

    await sendAs(other, roomId, "alice", "fan-out");
    const delivered = (items: Array<{ type: string }>) => items.some((item) => item.type === "message");
    for (const stream of streams) await waitFor(() => delivered(stream.items), { what: "delivery" });
    expect(await numsub()).toBe(1);

    for (const controller of controllers) controller.abort();
    await Promise.all(streams.map((stream) => stream.finished));
    await waitFor(async () => (await numsub()) === 0, { what: "the unsubscribe" });
  });

  it("behaves as one app across two instances sharing one Redis", async () => {
    const roomId = await createRoom(store);
    expect(await store.join(roomId, "alice")).toMatchObject({ status: "joined" });
    expect(await other.join(roomId, "bob")).toMatchObject({ status: "joined" });
    expect(await store.join(roomId, "carol")).toMatchObject({ status: "full" });
    expect(await other.join(roomId, "dave")).toMatchObject({ status: "full" });

    const controller = new AbortController();
    const onOther = collect(
      roomEventStream(other, { roomId, seat: 1, afterId: 0, ttlMs: 60_000, signal: controller.signal }),
    );
    await waitFor(async () => (await admin.pubsub("NUMSUB", roomChannel(roomId)))[1] === 1, { what: "subscribe" });
    await sendAs(store, roomId, "alice", "across instances");
    await waitFor(() => onOther.items.some((item) => item.type === "message"), { what: "the cross-instance message" });
    expect(onOther.items.find((item) => item.type === "message")).toMatchObject({
      message: { ciphertext: "across instances" },
    });

    await store.destroy(roomId);
    await onOther.finished;
    expect(onOther.items.at(-1)).toMatchObject({ type: "destroyed" });
  });
});
