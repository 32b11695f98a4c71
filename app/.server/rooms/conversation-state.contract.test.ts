import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, makeStore, ROOM_STORE_KINDS, TEST_PRESENCE_GRACE_MS } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { newRoomId } from "../room-token";
import { TYPING_TTL_MS, type PublishedEvent, type RoomStore } from "./types";

/** The conversation's state (exactly-once sends, typing, receipts, presence, leaving), both stores. */
describe.each(ROOM_STORE_KINDS)("RoomStore conversation contract (%s)", (kind) => {
  let store: RoomStore;
  beforeAll(() => {
    store = makeStore(kind);
  });
  afterAll(() => store.close());

  async function roomOfTwo() {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    await store.join(roomId, "bob");
    const events: PublishedEvent[] = [];
    const unsubscribe = await store.subscribe(roomId, (event) => events.push(event));
    return { roomId, events, unsubscribe };
  }
  const ofType = <T extends PublishedEvent["type"]>(events: PublishedEvent[], type: T) =>
    events.filter((event): event is Extract<PublishedEvent, { type: T }> => event.type === type);

  describe("sends with a clientId", () => {
    it("stores a retried send once and answers the retry with the first copy", async () => {
      const { roomId, events, unsubscribe } = await roomOfTwo();
      const first = await store.appendMemberMessage(roomId, "alice", { ciphertext: "once", clientId: "c-1" });
      const retry = await store.appendMemberMessage(roomId, "alice", { ciphertext: "once", clientId: "c-1" });
      expect(first.status).toBe("stored");
      expect(retry).toEqual({ status: "duplicate", message: first.status === "stored" ? first.message : null });
      // Another author may use the same clientId: it is theirs, not a repeat.
      const bobs = await store.appendMemberMessage(roomId, "bob", { ciphertext: "mine", clientId: "c-1" });
      expect(bobs).toMatchObject({ status: "stored", message: { id: 2, author: 2 } });
      await waitFor(() => ofType(events, "message").length === 2, { what: "two published messages" });
      expect((await store.messagesAfter(roomId, 0))?.map((message) => message.ciphertext)).toEqual(["once", "mine"]);
      unsubscribe();
    });

    it("stores one of 20 concurrent retries of the same send", async () => {
      const { roomId, unsubscribe } = await roomOfTwo();
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () =>
          store.appendMemberMessage(roomId, "bob", { ciphertext: "x", clientId: "same" }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === "stored")).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.status === "duplicate")).toHaveLength(19);
      expect(new Set(outcomes.map((outcome) => ("message" in outcome ? outcome.message.id : 0)))).toEqual(new Set([1]));
      expect(await store.messagesAfter(roomId, 0)).toHaveLength(1);
      unsubscribe();
    });
  });

  describe("typing", () => {
    it("publishes start and stop, keeps the signal as state for a short while, and ends it on send", async () => {
      const { roomId, events, unsubscribe } = await roomOfTwo();
      expect(await store.setTyping(roomId, 2, { name: "bob: the builder" })).toBe(true);
      await waitFor(() => ofType(events, "typing").length === 1, { what: "the typing event" });
      expect(ofType(events, "typing")[0]).toEqual({
        type: "typing",
        seat: 2,
        typing: true,
        name: "bob: the builder",
        expiresInMs: TYPING_TTL_MS,
      });
      const state = await store.roomState(roomId);
      expect(state?.typing).toEqual([{ seat: 2, name: "bob: the builder", expiresInMs: expect.any(Number) }]);
      expect(state?.typing[0]?.expiresInMs).toBeGreaterThan(TYPING_TTL_MS - 1000);

      await store.setTyping(roomId, 2, null);
      await waitFor(() => ofType(events, "typing").length === 2, { what: "the stop event" });
      expect(ofType(events, "typing")[1]).toMatchObject({ seat: 2, typing: false });
      expect((await store.roomState(roomId))?.typing).toEqual([]);

      await store.setTyping(roomId, 2, { name: "bob" });
      await store.appendMemberMessage(roomId, "bob", { ciphertext: "done typing" });
      expect((await store.roomState(roomId))?.typing).toEqual([]);
      expect(await store.setTyping(newRoomId(), 1, { name: "x" })).toBe(false);
      unsubscribe();
    });

    it("drops a typing signal for a draft already sent: one that arrives after its message never shows", async () => {
      const { roomId, events, unsubscribe } = await roomOfTwo();
      // The signal went out before the send but took longer to arrive (another instance, another connection).
      await store.appendMemberMessage(roomId, "bob", { ciphertext: "sent at once", clientId: "draft-1" });
      expect(await store.setTyping(roomId, 2, { name: "bob", draft: "draft-1" })).toBe(true);
      expect((await store.roomState(roomId))?.typing).toEqual([]);
      // The next draft, and the other seat's drafts, are news again.
      await store.setTyping(roomId, 2, { name: "bob", draft: "draft-2" });
      await store.setTyping(roomId, 1, { name: "alice", draft: "draft-1" });
      await waitFor(() => ofType(events, "typing").length === 2, { what: "the two live typing events" });
      expect(ofType(events, "typing").map((event) => event.seat)).toEqual([2, 1]);
      expect(ofType(events, "message")).toHaveLength(1);
      expect((await store.roomState(roomId))?.typing.map((typing) => typing.seat).sort()).toEqual([1, 2]);
      unsubscribe();
    });
  });

  it("forgets a typing signal that is never stopped (a vanished client)", async () => {
    const { roomId, unsubscribe } = await roomOfTwo();
    await store.setTyping(roomId, 1, { name: "alice" });
    expect((await store.roomState(roomId))?.typing).toHaveLength(1);
    await waitFor(async () => (await store.roomState(roomId))?.typing.length === 0, {
      what: "the typing signal to lapse",
      timeoutMs: TYPING_TTL_MS + 2000,
      intervalMs: 100,
    });
    unsubscribe();
  });

  describe("public keys", () => {
    it("keeps each seat's latest keys as state and publishes every change", async () => {
      const { roomId, events, unsubscribe } = await roomOfTwo();
      expect((await store.roomState(roomId))?.keys).toEqual([]);
      // Opaque to the store: any string, colons included, is kept and relayed as it is.
      expect(await store.publishKeys(roomId, 1, "x25519:alice-1.p256:alice-1")).toBe(true);
      expect(await store.publishKeys(roomId, 2, "x25519:bob-1.p256:bob-1")).toBe(true);
      await waitFor(() => ofType(events, "keys").length === 2, { what: "both seats' keys" });
      expect(ofType(events, "keys")).toEqual([
        { type: "keys", seat: 1, publicKeys: "x25519:alice-1.p256:alice-1" },
        { type: "keys", seat: 2, publicKeys: "x25519:bob-1.p256:bob-1" },
      ]);
      const bySeat = async () => [...((await store.roomState(roomId))?.keys ?? [])].sort((a, b) => a.seat - b.seat);
      expect(await bySeat()).toEqual([
        { seat: 1, publicKeys: "x25519:alice-1.p256:alice-1" },
        { seat: 2, publicKeys: "x25519:bob-1.p256:bob-1" },
      ]);

      // A new pair of keys (a reload that lost the old ones) replaces the seat's, and only it.
      expect(await store.publishKeys(roomId, 2, "x25519:bob-2.p256:bob-2")).toBe(true);
      await waitFor(() => ofType(events, "keys").length === 3, { what: "the replacement" });
      expect(ofType(events, "keys")[2]).toEqual({ type: "keys", seat: 2, publicKeys: "x25519:bob-2.p256:bob-2" });
      expect(await bySeat()).toEqual([
        { seat: 1, publicKeys: "x25519:alice-1.p256:alice-1" },
        { seat: 2, publicKeys: "x25519:bob-2.p256:bob-2" },
      ]);
      unsubscribe();
    });

    it("answers false for a room that is gone", async () => {
      expect(await store.publishKeys(newRoomId(), 1, "x25519:k")).toBe(false);
      const { roomId, unsubscribe } = await roomOfTwo();
      await store.destroy(roomId);
      expect(await store.publishKeys(roomId, 1, "x25519:k")).toBe(false);
      expect(await store.roomState(roomId)).toBeNull();
      unsubscribe();
    });
  });

  describe("names", () => {
    it("keeps the name each seat goes by as state, replaces it on a rename and publishes every change", async () => {
      const { roomId, events, unsubscribe } = await roomOfTwo();
      expect((await store.roomState(roomId))?.names).toEqual([]);
      // Sealed by the browser, so opaque here: kept and relayed exactly, colons included.
      expect(await store.setName(roomId, 2, "sealed:bob-1")).toBe(true);
      expect(await store.setName(roomId, 1, "sealed-alice-1")).toBe(true);
      await waitFor(() => ofType(events, "name").length === 2, { what: "both seats' names" });
      expect(ofType(events, "name")).toEqual([
        { type: "name", seat: 2, name: "sealed:bob-1" },
        { type: "name", seat: 1, name: "sealed-alice-1" },
      ]);
      const bySeat = async () => [...((await store.roomState(roomId))?.names ?? [])].sort((a, b) => a.seat - b.seat);
      expect(await bySeat()).toEqual([
        { seat: 1, name: "sealed-alice-1" },
        { seat: 2, name: "sealed:bob-1" },
      ]);

      expect(await store.setName(roomId, 2, "sealed-bob-2")).toBe(true);
      await waitFor(() => ofType(events, "name").length === 3, { what: "the rename" });
      expect(ofType(events, "name")[2]).toEqual({ type: "name", seat: 2, name: "sealed-bob-2" });
      expect(await bySeat()).toEqual([
        { seat: 1, name: "sealed-alice-1" },
        { seat: 2, name: "sealed-bob-2" },
      ]);
      // A name is state, never history: no message was stored for it.
      expect(await store.messagesAfter(roomId, 0)).toEqual([]);
      unsubscribe();
    });

    it("answers false for a room that is gone, and lasts no longer than the room", async () => {
      expect(await store.setName(newRoomId(), 1, "sealed-name")).toBe(false);
      const { roomId, unsubscribe } = await roomOfTwo();
      expect(await store.setName(roomId, 1, "sealed-name")).toBe(true);
      await store.destroy(roomId);
      expect(await store.setName(roomId, 1, "sealed-name")).toBe(false);
      expect(await store.roomState(roomId)).toBeNull();
      unsubscribe();

      // A short room: at its deadline the name goes with everything else, and is not recreated.
      const brief = await createRoom(store, 300);
      await store.join(brief, "alice");
      expect(await store.setName(brief, 1, "sealed-name")).toBe(true);
      await waitFor(async () => (await store.roomState(brief)) === null, { what: "the room's deadline" });
      expect(await store.setName(brief, 1, "sealed-name")).toBe(false);
      expect(await store.roomState(brief)).toBeNull();
    });
  });

  describe("receipts", () => {
    it("only ever raises watermarks, caps them at the last message, and publishes changes only", async () => {
      const { roomId, events, unsubscribe } = await roomOfTwo();
      for (const text of ["1", "2", "3"]) await store.appendMemberMessage(roomId, "alice", { ciphertext: text });
      expect(await store.markReceipts(roomId, 2, 2, 0)).toBe(true);
      expect(await store.markReceipts(roomId, 2, 1, 0)).toBe(true); // lower: ignored
      expect(await store.markReceipts(roomId, 2, 2, 0)).toBe(true); // same: ignored
      expect(await store.markReceipts(roomId, 2, 0, 1)).toBe(true); // seen 1, delivered stays 2
      expect(await store.markReceipts(roomId, 2, 99, 99)).toBe(true); // capped at 3
      await waitFor(() => ofType(events, "receipts").length === 3, { what: "three receipt changes" });
      await store.appendMemberMessage(roomId, "alice", { ciphertext: "marker" });
      await waitFor(() => ofType(events, "message").length === 4, { what: "the marker" });
      expect(ofType(events, "receipts")).toEqual([
        { type: "receipts", seat: 2, delivered: 2, seen: 0 },
        { type: "receipts", seat: 2, delivered: 2, seen: 1 },
        { type: "receipts", seat: 2, delivered: 3, seen: 3 },
      ]);
      expect((await store.roomState(roomId))?.receipts).toEqual([{ seat: 2, delivered: 3, seen: 3 }]);
      expect(await store.markReceipts(newRoomId(), 2, 1, 1)).toBe(false);
      unsubscribe();
    });

    it("ends up at the highest of many concurrent receipts", async () => {
      const { roomId, unsubscribe } = await roomOfTwo();
      for (let index = 0; index < 30; index += 1)
        await store.appendMemberMessage(roomId, "alice", { ciphertext: `${index}` });
      const order = Array.from({ length: 30 }, (_, index) => ((index * 7) % 30) + 1);
      await Promise.all(order.map((id) => store.markReceipts(roomId, 2, id, id - 1)));
      expect((await store.roomState(roomId))?.receipts).toEqual([{ seat: 2, delivered: 30, seen: 29 }]);
      unsubscribe();
    });
  });

  describe("presence", () => {
    it("announces a seat's first stream, holds it through the grace period, then announces it gone", async () => {
      const { roomId, events, unsubscribe } = await roomOfTwo();
      expect((await store.roomState(roomId))?.presence).toEqual([]);
      const closeFirst = await store.connect(roomId, 2);
      const closeSecond = await store.connect(roomId, 2); // a second tab
      await waitFor(() => ofType(events, "presence").length === 1, { what: "the arrival" });
      expect(ofType(events, "presence")[0]).toMatchObject({ seat: 2, here: true });
      expect((await store.roomState(roomId))?.presence).toEqual([{ seat: 2, here: true, lastSeen: null }]);

      closeFirst();
      closeSecond();
      closeSecond(); // closing twice counts once
      await waitFor(() => ofType(events, "presence-grace").length === 1, { what: "the grace period" });
      const graceStarted = Date.now();
      expect((await store.roomState(roomId))?.presence[0]).toMatchObject({ seat: 2, here: true });
      await waitFor(() => ofType(events, "presence").length === 2, { what: "the departure", timeoutMs: 5000 });
      expect(Date.now() - graceStarted).toBeGreaterThanOrEqual(TEST_PRESENCE_GRACE_MS - 100);
      const departure = ofType(events, "presence")[1];
      expect(departure).toMatchObject({ seat: 2, here: false, lastSeen: expect.any(Number) });
      expect(Math.abs((departure?.lastSeen ?? 0) - graceStarted)).toBeLessThan(1000);
      expect((await store.roomState(roomId))?.presence).toEqual([
        { seat: 2, here: false, lastSeen: departure?.lastSeen },
      ]);
      unsubscribe();
    });

    it("does not flap when a stream reopens within the grace period (a reload)", async () => {
      const { roomId, events, unsubscribe } = await roomOfTwo();
      const close = await store.connect(roomId, 1);
      close();
      await waitFor(() => ofType(events, "presence-grace").length === 1, { what: "the grace period" });
      const closeAgain = await store.connect(roomId, 1);
      // Wait past the grace period, proven by a later departure of another seat arriving.
      const closeOther = await store.connect(roomId, 2);
      closeOther();
      await waitFor(() => ofType(events, "presence").some((event) => event.seat === 2 && !event.here), {
        what: "seat 2 leaving after its own grace period",
        timeoutMs: 5000,
      });
      expect(ofType(events, "presence").filter((event) => event.seat === 1)).toEqual([
        { type: "presence", seat: 1, here: true, lastSeen: null },
      ]);
      expect((await store.roomState(roomId))?.presence.find((seat) => seat.seat === 1)?.here).toBe(true);
      closeAgain();
      unsubscribe();
    });
  });

  describe("leaving for good", () => {
    it("frees the seat, tells the room, and admits one new person", async () => {
      const { roomId, events, unsubscribe } = await roomOfTwo();
      await store.connect(roomId, 2);
      await store.setTyping(roomId, 2, { name: "bob" });
      await store.publishKeys(roomId, 2, "bobs-public-keys");
      await store.setName(roomId, 2, "bobs-sealed-name");
      await store.setName(roomId, 1, "alices-sealed-name");
      expect(await store.join(roomId, "carol")).toMatchObject({ status: "full" });
      expect(await store.leave(roomId, "bob")).toBe("left");
      expect(await store.leave(roomId, "bob")).toBe("not-member");
      await waitFor(() => ofType(events, "left").length === 1, { what: "the left event" });
      await waitFor(() => ofType(events, "members").at(-1)?.count === 1, { what: "the new count" });
      const state = await store.roomState(roomId);
      // Whoever takes the seat next must not be handed the old occupant's keys, nor go by their name.
      expect(state).toMatchObject({ memberCount: 1, typing: [], presence: [], keys: [] });
      expect(state?.names).toEqual([{ seat: 1, name: "alices-sealed-name" }]);
      expect(await store.memberStatus(roomId, "bob")).toMatchObject({ status: "not-member" });
      expect(await store.join(roomId, "carol")).toMatchObject({ status: "joined", seat: 3 });
      expect(await store.join(roomId, "dave")).toMatchObject({ status: "full" });
      unsubscribe();
    });
  });

  it("reads no state of a room that is gone", async () => {
    expect(await store.roomState(newRoomId())).toBeNull();
    expect(await store.leave(newRoomId(), "alice")).toBe("not-member");
  });
});
