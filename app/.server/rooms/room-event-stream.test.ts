import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, createRoom, makeStore, remainingMs, sendAs, STORE_KINDS } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { roomEventStream, type RoomStreamEvent } from "./room-event-stream";
import type { RoomEventListener, RoomStore } from "./types";

const messages = (events: RoomStreamEvent[]) => events.filter((event) => event.type === "message");
const ids = (events: RoomStreamEvent[]) => messages(events).map((event) => event.id);

describe.each(STORE_KINDS)("roomEventStream (%s)", (kind) => {
  let store: RoomStore;
  beforeAll(() => {
    store = makeStore(kind);
  });
  afterAll(() => store.close());

  /** Alice holds seat 1, the seat every stream here watches from; every send is hers. */
  const send = (roomId: string, text: string) => sendAs(store, roomId, "alice", text);
  async function roomWithAlice() {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    return roomId;
  }

  function open(roomId: string, afterId = 0, ttlMs = 60_000) {
    const controller = new AbortController();
    const stream = collect(roomEventStream(store, { roomId, seat: 1, afterId, ttlMs, signal: controller.signal }));
    return Object.assign(stream, { abort: () => controller.abort() });
  }

  it("replays the stored backlog, then delivers live messages in order", async () => {
    const roomId = await roomWithAlice();
    await send(roomId, "before-1");
    await send(roomId, "before-2");
    const stream = open(roomId);
    await waitFor(() => messages(stream.items).length === 2, { what: "the backlog" });
    await send(roomId, "live-3");
    await waitFor(() => messages(stream.items).length === 3, { what: "the live message" });
    expect(ids(stream.items)).toEqual([1, 2, 3]);
    expect(messages(stream.items)[2]).toMatchObject({ type: "message", message: { ciphertext: "live-3" } });
    stream.abort();
    await stream.finished;
  });

  it("resumes after lastEventId with exactly the missed messages", async () => {
    const roomId = await roomWithAlice();
    for (const text of ["a", "b", "c", "d", "e"]) await send(roomId, text);
    const stream = open(roomId, 3);
    await waitFor(() => messages(stream.items).length === 2, { what: "the missed messages" });
    await send(roomId, "f");
    await waitFor(() => messages(stream.items).length === 3, { what: "the live message" });
    expect(ids(stream.items)).toEqual([4, 5, 6]);
    stream.abort();
    await stream.finished;
  });

  it("loses and repeats nothing when messages arrive while it opens", async () => {
    const roomId = await roomWithAlice();
    const total = 60;
    // Sends race the subscribe-then-read-backlog window from both sides.
    const sending = (async () => {
      for (let index = 0; index < total; index += 1) await send(roomId, `m${index}`);
    })();
    const streams = [open(roomId), open(roomId, 0)];
    await sending;
    for (const stream of streams) {
      await waitFor(() => messages(stream.items).length >= total, { what: "every message" });
      expect(ids(stream.items)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
      stream.abort();
      await stream.finished;
    }
  });

  it("ends with `destroyed` when the room is destroyed", async () => {
    const roomId = await roomWithAlice();
    await send(roomId, "hello");
    const stream = open(roomId);
    await waitFor(() => messages(stream.items).length === 1, { what: "the backlog" });
    await store.destroy(roomId);
    await stream.finished;
    expect(stream.items.at(-1)).toEqual({ id: 2, type: "destroyed" });
  });

  it("ends with `expired` within a second of the deadline", async () => {
    const roomId = await createRoom(store, 300);
    const ttlMs = (await remainingMs(store, roomId)) ?? 0;
    const deadline = Date.now() + ttlMs;
    const stream = open(roomId, 0, ttlMs);
    await stream.finished;
    const lateBy = Date.now() - deadline;
    expect(stream.items).toEqual([
      { id: 0, type: "members", count: 0 },
      { id: 0, type: "presence", here: false, lastSeen: null },
      { id: 0, type: "receipts", delivered: 0, seen: 0 },
      { id: 1, type: "expired" },
    ]);
    expect(lateBy).toBeGreaterThanOrEqual(-50);
    expect(lateBy).toBeLessThan(1000);
  });

  it("reports the seats taken after the backlog, then every new member, without replaying them", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    await send(roomId, "hello");
    const stream = open(roomId);
    const history = () => stream.items.filter((event) => event.type === "message" || event.type === "members");
    await waitFor(() => history().length === 2, { what: "backlog and member count" });
    expect(history()).toEqual([
      expect.objectContaining({ id: 1, type: "message" }),
      { id: 1, type: "members", count: 1 },
    ]);
    await store.join(roomId, "bob");
    await store.join(roomId, "alice");
    await send(roomId, "second");
    await waitFor(() => messages(stream.items).length === 2, { what: "the second message" });
    expect(history().slice(2)).toEqual([
      { id: 1, type: "members", count: 2 },
      expect.objectContaining({ id: 2, type: "message" }),
    ]);
    stream.abort();
    await stream.finished;
  });

  it("delivers the partner's public keys on open and live, never the viewer's own", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    await store.join(roomId, "bob");
    await store.publishKeys(roomId, 1, "own-keys-on-open");
    await store.publishKeys(roomId, 2, "partner-keys-on-open");
    const stream = open(roomId); // seat 1
    const keys = () => stream.items.filter((event) => event.type === "partner-keys");
    await waitFor(() => keys().length === 1, { what: "the partner's keys as state" });
    expect(keys()).toEqual([{ id: 0, type: "partner-keys", publicKeys: "partner-keys-on-open" }]);

    await store.publishKeys(roomId, 1, "own-keys-live");
    await send(roomId, "after own keys");
    await store.publishKeys(roomId, 2, "partner-keys-live");
    await waitFor(() => keys().length === 2, { what: "the partner's new keys" });
    expect(keys()[1]).toEqual({ id: 1, type: "partner-keys", publicKeys: "partner-keys-live" });
    expect(JSON.stringify(stream.items)).not.toContain("own-keys");
    stream.abort();
    await stream.finished;

    // A stream opened later (a reload) gets the partner's latest keys only.
    const reopened = open(roomId, 1);
    await waitFor(() => reopened.items.some((event) => event.type === "partner-keys"), {
      what: "the keys on reopening",
    });
    await send(roomId, "marker");
    await waitFor(() => messages(reopened.items).length === 1, { what: "the marker" });
    expect(reopened.items.filter((event) => event.type === "partner-keys")).toEqual([
      { id: 1, type: "partner-keys", publicKeys: "partner-keys-live" },
    ]);
    reopened.abort();
    await reopened.finished;
  });

  it("tells the one who stayed where a newcomer's reading starts, live and on every opening", async () => {
    const roomId = await createRoom(store);
    await store.join(roomId, "alice");
    await store.join(roomId, "bob");
    await send(roomId, "to bob");
    await store.leave(roomId, "bob");
    const stream = open(roomId); // Alice, seat 1
    await waitFor(() => stream.items.some((event) => event.type === "members"), { what: "the state" });
    await store.join(roomId, "carol");
    const arrivals = (events: RoomStreamEvent[]) => events.filter((event) => event.type === "partner-arrived");
    await waitFor(() => arrivals(stream.items).length === 1, { what: "Carol's arrival" });
    expect(arrivals(stream.items)).toEqual([{ id: 1, type: "partner-arrived", after: 1 }]);
    stream.abort();
    await stream.finished;

    const reopened = open(roomId, 1);
    await waitFor(() => reopened.items.some((event) => event.type === "members"), { what: "the state on reopening" });
    expect(arrivals(reopened.items)).toEqual([{ id: 1, type: "partner-arrived", after: 1 }]);
    reopened.abort();
    await reopened.finished;
  });

  it("tells a room that vanished before the backlog read apart by the clock", async () => {
    const roomId = await createRoom(store);
    await store.destroy(roomId);
    const destroyed = open(roomId, 0, 60_000);
    await destroyed.finished;
    expect(destroyed.items).toEqual([{ id: 1, type: "destroyed" }]);
  });

  it("stops and releases its subscription when the signal aborts", async () => {
    const roomId = await roomWithAlice();
    const stream = open(roomId);
    await send(roomId, "one");
    await waitFor(() => messages(stream.items).length === 1, { what: "the first message" });
    stream.abort();
    await stream.finished;
    expect(stream.done).toBe(true);
    const seen = stream.items.length;
    await send(roomId, "after abort");
    expect(stream.items).toHaveLength(seen);
  });

  it("tells a piped sink each published event in the turn the subscriber hears it", async () => {
    const roomId = await roomWithAlice();
    let hear: RoomEventListener | undefined;
    // The real store, with the stream's listener kept so the test can call it as the fan-out does.
    const listened: RoomStore = Object.create(store, {
      subscribe: {
        value: (room: string, listener: RoomEventListener) => {
          hear = listener;
          return store.subscribe(room, listener);
        },
      },
    });
    const controller = new AbortController();
    const told: RoomStreamEvent[] = [];
    let ended = false;
    roomEventStream(listened, { roomId, seat: 1, afterId: 0, ttlMs: 60_000, signal: controller.signal }).pipe({
      event: (event) => told.push(event),
      end: () => (ended = true),
      fail: (error) => {
        throw error;
      },
    });
    await waitFor(() => told.some((event) => event.type === "members"), { what: "the room's state" });
    const before = told.length;
    hear!({ type: "members", count: 2 });
    hear!({ type: "typing", seat: 2, typing: true, name: "sealed", expiresInMs: 5000 });
    hear!({ type: "typing", seat: 1, typing: true, name: "own", expiresInMs: 5000 });
    expect(told.slice(before)).toEqual([
      { id: 0, type: "members", count: 2 },
      { id: 0, type: "typing", typing: true, name: "sealed", expiresInMs: 5000 },
    ]);
    controller.abort();
    expect(ended).toBe(true);
    hear!({ type: "members", count: 1 });
    expect(told).toHaveLength(before + 2);
  });

  it("gives its seat's presence back when the first read fails, however the replies race", async () => {
    const roomId = await createRoom(store);
    let released = 0;
    // The real store, but the backlog read fails at once: before `connect` has been answered.
    const failing: RoomStore = Object.create(store, {
      messagesAfter: { value: () => Promise.reject(new Error("backlog read failed")) },
      connect: {
        value: async (room: string, seat: number) => {
          const release = await store.connect(room, seat);
          return () => {
            released += 1;
            release();
          };
        },
      },
    });
    const controller = new AbortController();
    const stream = collect(
      roomEventStream(failing, { roomId, seat: 1, afterId: 0, ttlMs: 60_000, signal: controller.signal }),
    );
    await expect(stream.finished).rejects.toThrow("backlog read failed");
    await waitFor(() => released === 1, { what: "the seat's presence to be released" });
  });
});
