import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collect,
  createRoom,
  makeStore,
  remainingMs,
  seatsTaken,
  sendAs,
  ROOM_STORE_KINDS,
} from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { newRoomId } from "../room-token";
import { roomEventStream } from "./room-event-stream";
import { MESSAGE_CAP, ROOM_IMAGE_BYTES_MAX, type PublishedEvent, type RoomStore } from "./types";

/** Every byte value once, 0x00 and bytes that are never valid UTF-8 (0x80, 0xC0, 0xFF) included. */
const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, index) => index);
const MIB = 1024 * 1024;

/** One contract, two implementations: the in-memory store must behave exactly like Redis. */
describe.each(ROOM_STORE_KINDS)("RoomStore contract (%s)", (kind) => {
  let store: RoomStore;
  beforeAll(() => {
    store = makeStore(kind);
  });
  afterAll(() => store.close());

  it("creates a room whose remaining lifetime counts down from its ttl", async () => {
    const roomId = await createRoom(store, 60_000);
    const ttl = await remainingMs(store, roomId);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("treats a room that never existed as gone everywhere", async () => {
    const roomId = newRoomId();
    expect(await remainingMs(store, roomId)).toBeNull();
    expect(await store.join(roomId, "m1")).toEqual({ status: "not-found" });
    expect(await store.memberStatus(roomId, "m1")).toEqual({ status: "not-found" });
    expect(await store.appendMemberMessage(roomId, "m1", { ciphertext: "hi" })).toEqual({ status: "not-found" });
    expect(await store.messagesAfter(roomId, 0)).toBeNull();
    expect(await store.destroy(roomId)).toBe(false);
  });

  it("admits two members, recognises each on return, and refuses a third", async () => {
    const roomId = await createRoom(store);
    const first = await store.join(roomId, "alice");
    const second = await store.join(roomId, "bob");
    expect(first).toMatchObject({ status: "joined", seat: 1 });
    expect(second).toMatchObject({ status: "joined", seat: 2 });
    expect(await store.join(roomId, "alice")).toMatchObject({ status: "member", seat: 1 });
    expect(await store.join(roomId, "carol")).toMatchObject({ status: "full" });
    expect(await store.memberStatus(roomId, "bob")).toMatchObject({ status: "member", seat: 2 });
    expect(await store.memberStatus(roomId, "carol")).toMatchObject({ status: "not-member" });
  });

  it("counts the seats taken and announces each new member, not a returning one", async () => {
    const roomId = await createRoom(store);
    const seen: PublishedEvent[] = [];
    const unsubscribe = await store.subscribe(roomId, (event) => seen.push(event));
    expect(await seatsTaken(store, roomId)).toBe(0);
    await store.join(roomId, "alice");
    await store.join(roomId, "alice");
    await store.join(roomId, "bob");
    await store.join(roomId, "carol");
    expect(await seatsTaken(store, roomId)).toBe(2);
    await waitFor(() => seen.length === 2, { what: "two join announcements" });
    await sendAs(store, roomId, "alice", "marker");
    await waitFor(() => seen.length === 3, { what: "the marker message" });
    expect(seen.slice(0, 2)).toEqual([
      { type: "members", count: 1 },
      { type: "members", count: 2 },
    ]);
    expect(await seatsTaken(store, newRoomId())).toBeNull();
    unsubscribe();
  });

  it("stores a member's send under their seat in one step, and refuses anyone else", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    await store.join(roomId, "bob");
    const seen: PublishedEvent[] = [];
    const unsubscribe = await store.subscribe(roomId, (event) => seen.push(event));
    const stored = await store.appendMemberMessage(roomId, "bob", { ciphertext: "hi", clientId: "c1" });
    expect(stored).toEqual({
      status: "stored",
      message: { id: 1, author: 2, ciphertext: "hi", clientId: "c1", timestamp: expect.any(Number) },
    });
    expect(await store.appendMemberMessage(roomId, "mallory", { ciphertext: "x" })).toEqual({ status: "not-member" });
    expect(await store.appendMemberMessage(roomId, "", { ciphertext: "x" })).toEqual({ status: "not-member" });
    expect(await store.appendMemberMessage(newRoomId(), "bob", { ciphertext: "x" })).toEqual({ status: "not-found" });
    await waitFor(() => seen.some((event) => event.type === "message"), { what: "the published send" });
    expect(await store.messagesAfter(roomId, 0)).toHaveLength(1);
    unsubscribe();
  });

  it("keeps a send's clientId with the message, and none when it has none", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    const withId = await sendAs(store, roomId, "alice", "x", "abc-123");
    const without = await sendAs(store, roomId, "alice", "y");
    expect(withId?.clientId).toBe("abc-123");
    expect(without).not.toHaveProperty("clientId");
    expect(await store.messagesAfter(roomId, 0)).toEqual([withId, without]);
  });

  it("admits exactly two of 50 simultaneous first visits", async () => {
    const roomId = await createRoom(store);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, index) => store.join(roomId, `visitor-${index}`)),
    );
    const joined = outcomes.filter((outcome) => outcome.status === "joined");
    expect(joined).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome.status === "full")).toHaveLength(48);
    expect(new Set(joined.map((outcome) => ("seat" in outcome ? outcome.seat : 0)))).toEqual(new Set([1, 2]));
  });

  it("stores messages under increasing ids, oldest first, and returns those after an id", async () => {
    const roomId = await createRoom(store);
    const texts = ["one", "two", "three", "four"];
    await store.join(roomId, "alice");
    const stored = [];
    for (const text of texts) stored.push(await sendAs(store, roomId, "alice", text));
    expect(stored.map((message) => message?.id)).toEqual([1, 2, 3, 4]);
    expect(stored[0]).toMatchObject({ author: 1, ciphertext: "one" });
    expect(typeof stored[0]?.timestamp).toBe("number");
    expect((await store.messagesAfter(roomId, 0))?.map((message) => message.ciphertext)).toEqual(texts);
    expect((await store.messagesAfter(roomId, 2))?.map((message) => message.id)).toEqual([3, 4]);
    expect(await store.messagesAfter(roomId, 4)).toEqual([]);
    // The state names the last id, and no span lost in a failover (none happened).
    const state = await store.roomState(roomId);
    expect(state?.lastId).toBe(4);
    expect(state?.lost).toBeUndefined();
  });

  it("round-trips any string as a ciphertext or a sealed name exactly, reading none of it", async () => {
    const roomId = await createRoom(store);
    const text = `quotes " \\ / <b>html</b> \n emoji 🧨👩‍👩‍👧 RTL \u202e עברית \u0000 end`;
    await store.join(roomId, "alice");
    await store.join(roomId, "bob");
    const sent = await sendAs(store, roomId, "bob", text);
    const [read] = (await store.messagesAfter(roomId, 0)) ?? [];
    expect(sent).toMatchObject({ ciphertext: text });
    expect(read).toEqual(sent);
    const name = "名前 ✨: with: colons";
    await store.setTyping(roomId, 2, { name });
    expect((await store.roomState(roomId))?.typing).toEqual([{ seat: 2, name, expiresInMs: expect.any(Number) }]);
  });

  it(`keeps only the newest ${MESSAGE_CAP} messages`, async () => {
    const roomId = await createRoom(store);
    const total = MESSAGE_CAP + 25;
    await store.join(roomId, "alice");
    for (let index = 1; index <= total; index += 1) {
      await sendAs(store, roomId, "alice", `m${index}`);
    }
    const kept = (await store.messagesAfter(roomId, 0)) ?? [];
    expect(kept).toHaveLength(MESSAGE_CAP);
    expect(kept[0]?.id).toBe(26);
    expect(kept.at(-1)?.id).toBe(total);
  });

  it("reads a page of the messages after an id: the first `limit` of them", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    for (let index = 1; index <= 7; index += 1) await sendAs(store, roomId, "alice", `m${index}`);
    const ids = async (afterId: number, limit?: number) =>
      (await store.messagesAfter(roomId, afterId, { limit }))?.map((message) => message.id);
    expect(await ids(0, 3)).toEqual([1, 2, 3]);
    expect(await ids(3, 3)).toEqual([4, 5, 6]);
    expect(await ids(6, 3)).toEqual([7]);
    expect(await ids(7, 3)).toEqual([]);
    expect(await ids(2, 100)).toEqual([3, 4, 5, 6, 7]);
    expect(await ids(2)).toEqual([3, 4, 5, 6, 7]);
    expect(await store.messagesAfter(newRoomId(), 0, { limit: 3 })).toBeNull();
  });

  it(`pages from the oldest message kept once more than ${MESSAGE_CAP} were sent`, async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    for (let index = 1; index <= MESSAGE_CAP + 5; index += 1) {
      await sendAs(store, roomId, "alice", `m${index}`);
    }
    expect((await store.messagesAfter(roomId, 0, { limit: 2 }))?.map((message) => message.id)).toEqual([6, 7]);
    expect((await store.messagesAfter(roomId, MESSAGE_CAP + 3, { limit: 5 }))?.map((message) => message.id)).toEqual([
      MESSAGE_CAP + 4,
      MESSAGE_CAP + 5,
    ]);
  });

  it("publishes messages and the room's destruction to subscribers until they unsubscribe", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    const seen: PublishedEvent[] = [];
    const unsubscribe = await store.subscribe(roomId, (event) => seen.push(event));
    const otherSeen: PublishedEvent[] = [];
    const otherRoom = await createRoom(store);
    await store.join(otherRoom, "alice");
    const unsubscribeOther = await store.subscribe(otherRoom, (event) => otherSeen.push(event));

    await sendAs(store, roomId, "alice", "hello");
    await waitFor(() => seen.length === 1, { what: "the message event" });
    expect(seen[0]).toMatchObject({ type: "message", message: { id: 1, ciphertext: "hello" } });

    expect(await store.destroy(roomId)).toBe(true);
    await waitFor(() => seen.length === 2, { what: "the destroyed event" });
    expect(seen[1]).toEqual({ type: "destroyed", id: 2 });
    expect(otherSeen).toEqual([]);
    unsubscribe();

    // After unsubscribing nothing more arrives: prove it with an event that does arrive elsewhere.
    await sendAs(store, otherRoom, "alice", "marker");
    await waitFor(() => otherSeen.length === 1, { what: "the marker event" });
    expect(seen).toHaveLength(2);
    unsubscribeOther();
  });

  it("deletes everything on destroy", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    await sendAs(store, roomId, "alice", "secret");
    expect(await store.destroy(roomId)).toBe(true);
    expect(await remainingMs(store, roomId)).toBeNull();
    expect(await store.messagesAfter(roomId, 0)).toBeNull();
    expect(await store.memberStatus(roomId, "alice")).toEqual({ status: "not-found" });
    expect(await store.destroy(roomId)).toBe(false);
    // A stream that missed the `destroyed` event can still tell this room was not lost.
    expect(await store.wasEnded(roomId)).toBe(true);
  });

  it("ends a room at its deadline, however active it was", async () => {
    const roomId = await createRoom(store, 400);
    await store.join(roomId, "alice");
    const before = await remainingMs(store, roomId);
    await sendAs(store, roomId, "alice", "activity");
    const after = await remainingMs(store, roomId);
    expect(after).not.toBeNull();
    expect(after ?? Infinity).toBeLessThanOrEqual(before ?? 0);
    await waitFor(async () => (await remainingMs(store, roomId)) === null, { what: "the room to expire" });
    expect(await store.join(roomId, "bob")).toEqual({ status: "not-found" });
    expect(await store.messagesAfter(roomId, 0)).toBeNull();
  });

  describe("a seat taken after someone left", () => {
    /** Alice and Bob talk, Bob presses Leave room, Alice writes once more, then Carol opens the link. */
    async function roomAfterALeave() {
      const roomId = await createRoom(store);
      await store.join(roomId, "alice");
      await store.join(roomId, "bob");
      await store.appendMemberMessage(roomId, "alice", { ciphertext: "alice-to-bob", clientId: "a1" });
      await store.appendMemberMessage(roomId, "bob", { ciphertext: "bob-to-alice", clientId: "b1" });
      expect(await store.leave(roomId, "bob")).toBe("left");
      await store.appendMemberMessage(roomId, "alice", { ciphertext: "anyone-there", clientId: "a2" });
      const seen: PublishedEvent[] = [];
      const unsubscribe = await store.subscribe(roomId, (event) => seen.push(event));
      const carol = await store.join(roomId, "carol");
      expect(carol).toMatchObject({ status: "joined", seat: 3 });
      await store.appendMemberMessage(roomId, "alice", { ciphertext: "hello-carol", clientId: "a3" });
      await store.appendMemberMessage(roomId, "carol", { ciphertext: "hi-alice", clientId: "c1" });
      await waitFor(() => seen.filter((event) => event.type === "message").length === 2, {
        what: "the two new messages",
      });
      unsubscribe();
      return { roomId, seen };
    }

    const texts = (messages: { ciphertext: string }[] | null) => messages?.map((message) => message.ciphertext);

    it("a member who took a freed seat lists only messages after their arrival", async () => {
      const { roomId, seen } = await roomAfterALeave();
      expect(texts(await store.messagesAfter(roomId, 0, { seat: 3 }))).toEqual(["hello-carol", "hi-alice"]);
      // Alice, who was there all along, still reads everything.
      expect(texts(await store.messagesAfter(roomId, 0, { seat: 1 }))).toEqual([
        "alice-to-bob",
        "bob-to-alice",
        "anyone-there",
        "hello-carol",
        "hi-alice",
      ]);
      // Carol's seat starts at message 3 (the last one when she arrived), in the same step as her join.
      expect(seen).toContainEqual({ type: "arrived", seat: 3, after: 3 });
      expect((await store.roomState(roomId))?.arrivals).toEqual([{ seat: 3, after: 3 }]);
    });

    it("a member who took a freed seat replays and resumes only messages after their arrival", async () => {
      const { roomId } = await roomAfterALeave();
      const replayed = async (afterId: number) => {
        const controller = new AbortController();
        const stream = collect(
          roomEventStream(store, { roomId, seat: 3, afterId, ttlMs: 60_000, signal: controller.signal }),
        );
        await waitFor(() => stream.items.some((event) => event.type === "members"), { what: "the stream's state" });
        controller.abort();
        await stream.finished;
        return stream.items.filter((event) => event.type === "message").map((event) => event.message.ciphertext);
      };
      expect(await replayed(0)).toEqual(["hello-carol", "hi-alice"]);
      // A resume from an older id (one Carol was never given) reaches no further back.
      expect(await replayed(1)).toEqual(["hello-carol", "hi-alice"]);
      expect(await replayed(4)).toEqual(["hi-alice"]);
    });

    it("a seat given back unread (a link without the right key) leaves the next person everything", async () => {
      const roomId = await createRoom(store);
      await store.join(roomId, "alice");
      await store.appendMemberMessage(roomId, "alice", { ciphertext: "before-anyone", clientId: "a1" });
      await store.join(roomId, "keyless");
      expect(await store.leave(roomId, "keyless", { unread: true })).toBe("left");
      expect(await store.join(roomId, "bob")).toMatchObject({ status: "joined", seat: 3 });
      expect(texts(await store.messagesAfter(roomId, 0, { seat: 3 }))).toEqual(["before-anyone"]);
      expect((await store.roomState(roomId))?.arrivals).toEqual([]);
    });

    it("forgets a departed seat's arrival", async () => {
      const { roomId } = await roomAfterALeave();
      expect(await store.leave(roomId, "carol")).toBe("left");
      expect(await store.join(roomId, "dave")).toMatchObject({ status: "joined", seat: 4 });
      expect((await store.roomState(roomId))?.arrivals).toEqual([{ seat: 4, after: 5 }]);
      expect(await store.messagesAfter(roomId, 0, { seat: 4 })).toEqual([]);
    });
  });

  it("keeps the creator's key check with the room and hands it to every member", async () => {
    const roomId = newRoomId();
    await store.createRoom(roomId, 60_000, "Zm9yLXRlc3RzLW9ubHktMQ");
    expect(await store.join(roomId, "alice")).toMatchObject({ status: "joined", keyCheck: "Zm9yLXRlc3RzLW9ubHktMQ" });
    expect(await store.join(roomId, "alice")).toMatchObject({ status: "member", keyCheck: "Zm9yLXRlc3RzLW9ubHktMQ" });
    const unchecked = await createRoom(store);
    expect(await store.join(unchecked, "alice")).toMatchObject({ status: "joined", keyCheck: null });
  });

  describe("sealed images", () => {
    async function roomOfTwo() {
      const roomId = await createRoom(store);
      await store.join(roomId, "alice");
      await store.join(roomId, "bob");
      return roomId;
    }

    it("keeps a member's bytes exactly, binary-safe, for every member to read", async () => {
      const roomId = await roomOfTwo();
      expect(await store.putImage(roomId, "alice", "img-every-byte", EVERY_BYTE)).toBe("stored");
      for (const member of ["alice", "bob"]) {
        expect(await store.getImage(roomId, member, "img-every-byte")).toEqual({ status: "found", bytes: EVERY_BYTE });
      }
    });

    it("keeps a copy: the caller may reuse its buffer after the put", async () => {
      const roomId = await roomOfTwo();
      const buffer = EVERY_BYTE.slice();
      expect(await store.putImage(roomId, "alice", "img-reused-buffer", buffer)).toBe("stored");
      buffer.fill(0x2a);
      expect(await store.getImage(roomId, "bob", "img-reused-buffer")).toEqual({ status: "found", bytes: EVERY_BYTE });
    });

    it("writes an id once: a second put under it is `exists` and the first bytes stay", async () => {
      const roomId = await roomOfTwo();
      const first = EVERY_BYTE.subarray(0, 100);
      expect(await store.putImage(roomId, "alice", "img-once", first)).toBe("stored");
      expect(await store.putImage(roomId, "bob", "img-once", EVERY_BYTE)).toBe("exists");
      expect(await store.putImage(roomId, "alice", "img-once", EVERY_BYTE)).toBe("exists");
      expect(await store.getImage(roomId, "bob", "img-once")).toEqual({ status: "found", bytes: first });
    });

    it("refuses anyone without a seat, both ways, and answers `no-image` for an unknown id", async () => {
      const roomId = await roomOfTwo();
      await store.putImage(roomId, "alice", "img-members-only", EVERY_BYTE);
      expect(await store.putImage(roomId, "mallory", "img-by-mallory", EVERY_BYTE)).toBe("not-member");
      expect(await store.putImage(roomId, "", "img-by-nobody", EVERY_BYTE)).toBe("not-member");
      expect(await store.getImage(roomId, "mallory", "img-members-only")).toEqual({ status: "not-member" });
      expect(await store.getImage(roomId, "", "img-members-only")).toEqual({ status: "not-member" });
      // Nothing mallory sent was kept.
      expect(await store.getImage(roomId, "alice", "img-by-mallory")).toEqual({ status: "no-image" });
      expect(await store.getImage(roomId, "bob", "img-never-sent")).toEqual({ status: "no-image" });
    });

    it("answers `not-found` for a room that never existed", async () => {
      const roomId = newRoomId();
      expect(await store.putImage(roomId, "alice", "img-nowhere", EVERY_BYTE)).toBe("not-found");
      expect(await store.getImage(roomId, "alice", "img-nowhere")).toEqual({ status: "not-found" });
    });

    it(`holds at most ${ROOM_IMAGE_BYTES_MAX / MIB} MiB of images per room, then answers \`room-full\``, async () => {
      const roomId = await roomOfTwo();
      const chunk = new Uint8Array(4 * MIB).fill(0xff);
      const puts = ROOM_IMAGE_BYTES_MAX / chunk.byteLength;
      expect(Number.isInteger(puts)).toBe(true);
      // Exactly up to the budget is allowed, by either member.
      for (let index = 0; index < puts; index += 1) {
        expect(await store.putImage(roomId, index % 2 === 0 ? "alice" : "bob", `img-chunk-${index}`, chunk)).toBe(
          "stored",
        );
      }
      expect(await store.putImage(roomId, "alice", "img-one-byte-over", EVERY_BYTE.subarray(0, 1))).toBe("room-full");
      expect(await store.getImage(roomId, "bob", "img-one-byte-over")).toEqual({ status: "no-image" });
      // A refused id was not taken, and another room has its own budget.
      const other = await roomOfTwo();
      expect(await store.putImage(other, "alice", "img-one-byte-over", EVERY_BYTE)).toBe("stored");
      const last = await store.getImage(roomId, "bob", `img-chunk-${puts - 1}`);
      // Compared as buffers: a deep equality over 4 MiB, element by element, is far too slow.
      expect(last.status === "found" && Buffer.from(last.bytes).equals(chunk)).toBe(true);
      await Promise.all([store.destroy(roomId), store.destroy(other)]);
    });

    it("refuses a single image larger than the whole budget", async () => {
      const roomId = await roomOfTwo();
      expect(await store.putImage(roomId, "alice", "img-too-big", new Uint8Array(ROOM_IMAGE_BYTES_MAX + 1))).toBe(
        "room-full",
      );
      expect(await store.putImage(roomId, "alice", "img-small", EVERY_BYTE)).toBe("stored");
    });

    it("deletes a room's images when the room is destroyed", async () => {
      const roomId = await roomOfTwo();
      await store.putImage(roomId, "alice", "img-doomed", EVERY_BYTE);
      expect(await store.destroy(roomId)).toBe(true);
      expect(await store.getImage(roomId, "alice", "img-doomed")).toEqual({ status: "not-found" });
      expect(await store.putImage(roomId, "alice", "img-after-the-end", EVERY_BYTE)).toBe("not-found");
      // Nothing lingers for a room that reuses the id: its images and its budget start empty.
      await store.createRoom(roomId, 60_000);
      await store.join(roomId, "alice");
      expect(await store.getImage(roomId, "alice", "img-doomed")).toEqual({ status: "no-image" });
      expect(await store.putImage(roomId, "alice", "img-doomed", new Uint8Array(ROOM_IMAGE_BYTES_MAX))).toBe("stored");
      await store.destroy(roomId);
    });
  });

  it("answers ping while the backing store is reachable", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
