import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, createRoom, makeStore, ROOM_STORE_KINDS, sendAs } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { newRoomId } from "../room-token";
import { roomEventStream, type RoomStreamEvent } from "./room-event-stream";
import type { PublishedEvent, RoomStore, StoredMessage } from "./types";

const HOUR_MS = 3_600_000;
/** How far the test's clock may be from the store's (the same machine; Redis counts whole ms). */
const CLOCK_SLACK_MS = 50;

const ids = (messages: StoredMessage[] | null) => messages?.map((message) => message.id);

/** Direct chats in both stores (and on the Cluster): seats, per-message expiry, notices, clear and block. */
describe.each(ROOM_STORE_KINDS)("RoomStore direct chat contract (%s)", (kind) => {
  let store: RoomStore;
  beforeAll(() => {
    store = makeStore(kind);
  });
  afterAll(() => store.close());

  /** A chat between alice (seat 1) and bob (seat 2). */
  async function openChat(timerMs = HOUR_MS) {
    const chatId = newRoomId();
    const info = await store.openDirectChat(chatId, ["alice", "bob"], timerMs);
    return { chatId, info };
  }

  async function subscribed(chatId: string) {
    const events: PublishedEvent[] = [];
    const unsubscribe = await store.subscribe(chatId, (event) => events.push(event));
    return { events, unsubscribe };
  }

  function stream(chatId: string, ttlMs: number, afterId = 0) {
    const controller = new AbortController();
    const items = collect(
      roomEventStream(store, { roomId: chatId, seat: 1, afterId, ttlMs, signal: controller.signal }),
    );
    return Object.assign(items, { abort: () => controller.abort() });
  }

  const streamMessages = (items: RoomStreamEvent[]) =>
    items.flatMap((item) => (item.type === "message" ? [item.message] : []));

  describe("opening", () => {
    it("seats the two members 1 and 2 in order, for the chat's timer", async () => {
      const before = Date.now();
      const { chatId, info } = await openChat(60_000);
      expect(info).toEqual({ created: true, timerMs: 60_000, blockedBy: null, expiresAt: expect.any(Number) });
      expect(info.expiresAt).toBeGreaterThanOrEqual(before + 60_000 - CLOCK_SLACK_MS);
      expect(info.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000 + CLOCK_SLACK_MS);
      const alice = await store.memberStatus(chatId, "alice");
      expect(alice).toEqual({ status: "member", seat: 1, ttlMs: expect.any(Number) });
      expect(alice.status === "member" && alice.ttlMs).toBeGreaterThan(59_000);
      expect(alice.status === "member" && alice.ttlMs).toBeLessThanOrEqual(60_000);
      expect(await store.memberStatus(chatId, "bob")).toMatchObject({ status: "member", seat: 2 });
      expect(await store.memberStatus(chatId, "carol")).toMatchObject({ status: "not-member" });
      expect((await store.roomState(chatId))?.memberCount).toBe(2);
      // Seat order follows the call, not the ids' order.
      const reversed = newRoomId();
      await store.openDirectChat(reversed, ["zed", "amy"], 60_000);
      expect(await store.memberStatus(reversed, "zed")).toMatchObject({ seat: 1 });
      expect(await store.memberStatus(reversed, "amy")).toMatchObject({ seat: 2 });
    });

    it("opens once: a second open keeps the timer, the block and the messages", async () => {
      const { chatId, info } = await openChat(60_000);
      const sent = await sendAs(store, chatId, "bob", "kept", "c-1");
      expect(await store.setChatBlocked(chatId, 1)).toBe(true);
      const again = await store.openDirectChat(chatId, ["alice", "bob"], 300_000);
      expect(again).toEqual({ created: false, timerMs: 60_000, blockedBy: 1, expiresAt: sent?.expiresAt });
      expect(again.expiresAt).toBeGreaterThanOrEqual(info.expiresAt);
      expect(await store.messagesAfter(chatId, 0)).toEqual([sent]);
    });

    it("seats nobody else: join answers not-found, and leave never frees a seat", async () => {
      const { chatId } = await openChat();
      expect(await store.join(chatId, "carol")).toEqual({ status: "not-found" });
      expect(await store.join(chatId, "alice")).toEqual({ status: "not-found" });
      expect(await store.leave(chatId, "alice")).toBe("match");
      expect(await store.leave(chatId, "bob", { unread: true })).toBe("match");
      expect(await store.leave(chatId, "carol")).toBe("not-member");
      expect(await store.memberStatus(chatId, "alice")).toMatchObject({ status: "member", seat: 1 });
      expect(await store.memberStatus(chatId, "bob")).toMatchObject({ status: "member", seat: 2 });
      expect((await store.roomState(chatId))?.memberCount).toBe(2);
    });

    it("refuses to open over a room's id, and answers nothing of a room or a chat that is gone", async () => {
      const roomId = await createRoom(store);
      await expect(store.openDirectChat(roomId, ["alice", "bob"], HOUR_MS)).rejects.toThrow("room id collision");
      for (const id of [roomId, newRoomId()]) {
        expect(await store.directChatInfo(id)).toBeNull();
        expect(await store.setChatTimer(id, 1, HOUR_MS)).toBeNull();
        expect(await store.clearChat(id, 1)).toBeNull();
        expect(await store.setChatBlocked(id, 1)).toBe(false);
      }
      // The room is untouched.
      expect(await store.join(roomId, "alice")).toMatchObject({ status: "joined", seat: 1 });
      expect(await store.messagesAfter(roomId, 0)).toEqual([]);
    });
  });

  describe("per-message expiry", () => {
    it("stores each message's expiry, the store's now plus the timer, and keeps the chat that long", async () => {
      const { chatId } = await openChat(60_000);
      const before = Date.now();
      const outcome = await store.appendMemberMessage(chatId, "alice", { ciphertext: "hi", clientId: "c-1" });
      expect(outcome).toEqual({
        status: "stored",
        message: {
          id: 1,
          author: 1,
          ciphertext: "hi",
          clientId: "c-1",
          timestamp: expect.any(Number),
          expiresAt: expect.any(Number),
        },
      });
      const message = outcome.status === "stored" ? outcome.message : null;
      expect(message!.expiresAt).toBe(message!.timestamp + 60_000);
      expect(message!.timestamp).toBeGreaterThanOrEqual(before - CLOCK_SLACK_MS);
      expect(await store.messagesAfter(chatId, 0)).toEqual([message]);
      expect((await store.directChatInfo(chatId))?.expiresAt).toBe(message!.expiresAt);
      // A retry answers with the first copy, expiry and all.
      expect(await store.appendMemberMessage(chatId, "alice", { ciphertext: "hi", clientId: "c-1" })).toEqual({
        status: "duplicate",
        message,
      });
    });

    it("never shortens the chat's deadline: a later, shorter-lived message leaves it where it was", async () => {
      const { chatId } = await openChat(60_000);
      const long = await sendAs(store, chatId, "alice", "long");
      await store.setChatTimer(chatId, 2, 5_000);
      const short = await sendAs(store, chatId, "bob", "short");
      expect(short!.expiresAt).toBeLessThan(long!.expiresAt!);
      expect((await store.directChatInfo(chatId))?.expiresAt).toBe(long!.expiresAt);
      const status = await store.memberStatus(chatId, "bob");
      expect(status.status === "member" && status.ttlMs).toBeGreaterThan(50_000);
    });

    it("ends a chat nobody wrote in after its timer", async () => {
      const { chatId, info } = await openChat(300);
      expect(await store.memberStatus(chatId, "alice")).toMatchObject({ status: "member" });
      await waitFor(async () => (await store.memberStatus(chatId, "alice")).status === "not-found", {
        what: "the unused chat to end",
      });
      expect(Date.now()).toBeGreaterThanOrEqual(info.expiresAt - CLOCK_SLACK_MS);
      expect(await store.directChatInfo(chatId)).toBeNull();
      expect(await store.messagesAfter(chatId, 0)).toBeNull();
    });

    it("lasts until its last message expires, past the deadline it opened with", async () => {
      const { chatId, info } = await openChat(300);
      const notice = await store.setChatTimer(chatId, 1, 1_200);
      expect(notice!.expiresAt).toBeGreaterThan(info.expiresAt + 800);
      expect((await store.directChatInfo(chatId))?.expiresAt).toBe(notice!.expiresAt);
      await waitFor(async () => (await store.directChatInfo(chatId)) === null, { what: "the chat to end" });
      expect(Date.now()).toBeGreaterThanOrEqual(notice!.expiresAt! - CLOCK_SLACK_MS);
      expect(await store.memberStatus(chatId, "alice")).toEqual({ status: "not-found" });
    });

    it("never lists, pages or replays a message past its expiry, even one still stored behind a later one", async () => {
      const { chatId } = await openChat(60_000);
      const long = await sendAs(store, chatId, "alice", "long");
      const shortTimer = await store.setChatTimer(chatId, 1, 300);
      const short = await sendAs(store, chatId, "bob", "short");
      const longTimer = await store.setChatTimer(chatId, 2, 60_000);
      const after = await sendAs(store, chatId, "alice", "after");
      expect(ids(await store.messagesAfter(chatId, 0))).toEqual([1, 2, 3, 4, 5]);
      await waitFor(async () => (await store.messagesAfter(chatId, 0))?.length === 3, {
        what: "the short-lived two to expire",
      });
      expect(Date.now()).toBeGreaterThanOrEqual(short!.expiresAt! - CLOCK_SLACK_MS);
      expect(await store.messagesAfter(chatId, 0)).toEqual([long, longTimer, after]);
      expect(shortTimer?.id).toBe(2);
      // A page skips them and is still filled from what follows.
      expect(ids(await store.messagesAfter(chatId, 0, { limit: 2 }))).toEqual([1, 4]);
      expect(ids(await store.messagesAfter(chatId, 1, { limit: 1 }))).toEqual([4]);
      expect(ids(await store.messagesAfter(chatId, 1, { seat: 2 }))).toEqual([4, 5]);
      // A stream's backlog skips them too.
      const status = await store.memberStatus(chatId, "alice");
      const replay = stream(chatId, status.status === "member" ? status.ttlMs : 0);
      await waitFor(() => replay.items.some((item) => item.type === "members"), { what: "the replay" });
      replay.abort();
      await replay.finished;
      expect(streamMessages(replay.items)).toEqual([long, longTimer, after]);
    });

    it("forgets an expired message's clientId once it leaves the head of the log", async () => {
      const { chatId } = await openChat(60_000);
      await store.setChatTimer(chatId, 1, 300);
      const first = await sendAs(store, chatId, "alice", "first", "c-1");
      await store.setChatTimer(chatId, 1, 60_000); // keeps the chat after the first two expire
      await waitFor(async () => (await store.messagesAfter(chatId, 0))?.length === 1, { what: "the first to expire" });
      await sendAs(store, chatId, "bob", "next"); // drops the expired head
      // The same clientId is a new send now, not a retry of one nobody can read any more.
      const again = await store.appendMemberMessage(chatId, "alice", { ciphertext: "again", clientId: "c-1" });
      expect(again).toMatchObject({ status: "stored", message: { id: 5, ciphertext: "again", clientId: "c-1" } });
      expect(first?.id).toBe(2);
      expect(ids(await store.messagesAfter(chatId, 0))).toEqual([3, 4, 5]);
    });
  });

  describe("the timer", () => {
    it("records a change as a notice by the seat, published, expiring by the new timer", async () => {
      const { chatId } = await openChat(60_000);
      const earlier = await sendAs(store, chatId, "alice", "earlier");
      const { events, unsubscribe } = await subscribed(chatId);
      const notice = await store.setChatTimer(chatId, 2, 300_000);
      expect(notice).toEqual({
        id: 2,
        author: 2,
        ciphertext: "",
        timestamp: expect.any(Number),
        expiresAt: notice!.timestamp + 300_000,
        notice: { kind: "timer", timerMs: 300_000 },
      });
      await waitFor(() => events.some((event) => event.type === "message"), { what: "the published notice" });
      expect(events).toEqual([{ type: "message", message: notice }]);
      expect(await store.directChatInfo(chatId)).toMatchObject({ timerMs: 300_000, expiresAt: notice!.expiresAt });
      const later = await sendAs(store, chatId, "bob", "later");
      expect(later!.expiresAt).toBe(later!.timestamp + 300_000);
      // Earlier messages keep the expiry they were sent with.
      expect(await store.messagesAfter(chatId, 0)).toEqual([earlier, notice, later]);
      expect(earlier!.expiresAt).toBe(earlier!.timestamp + 60_000);
      unsubscribe();
    });
  });

  describe("clearing", () => {
    it("deletes messages, clientIds and images for both, publishes `cleared`, then a notice; ids go on", async () => {
      const { chatId } = await openChat();
      await sendAs(store, chatId, "alice", "one", "c-1");
      await sendAs(store, chatId, "bob", "two", "c-2");
      expect(await store.putImage(chatId, "alice", "img-1", new Uint8Array([1, 2, 3]))).toBe("stored");
      expect(await store.markReceipts(chatId, 2, 2, 2)).toBe(true);
      const { events, unsubscribe } = await subscribed(chatId);
      const notice = await store.clearChat(chatId, 2);
      expect(notice).toEqual({
        id: 3,
        author: 2,
        ciphertext: "",
        timestamp: expect.any(Number),
        expiresAt: notice!.timestamp + HOUR_MS,
        notice: { kind: "cleared" },
      });
      await waitFor(() => events.length === 2, { what: "`cleared` and the notice" });
      expect(events).toEqual([
        { type: "cleared", upTo: 2 },
        { type: "message", message: notice },
      ]);
      expect(await store.messagesAfter(chatId, 0)).toEqual([notice]);
      expect(await store.getImage(chatId, "bob", "img-1")).toEqual({ status: "no-image" });
      // The sends' clientIds went with them: the same one is a new message, under the next id.
      const resent = await store.appendMemberMessage(chatId, "alice", { ciphertext: "one again", clientId: "c-1" });
      expect(resent).toMatchObject({ status: "stored", message: { id: 4, clientId: "c-1" } });
      // Seats, settings and receipts stay.
      expect(await store.memberStatus(chatId, "bob")).toMatchObject({ status: "member", seat: 2 });
      expect(await store.directChatInfo(chatId)).toMatchObject({ timerMs: HOUR_MS, blockedBy: null });
      expect((await store.roomState(chatId))?.receipts).toEqual([{ seat: 2, delivered: 2, seen: 2 }]);
      // The image budget starts again.
      expect(await store.putImage(chatId, "bob", "img-1", new Uint8Array([4]))).toBe("stored");
      unsubscribe();
    });
  });

  describe("blocking", () => {
    it("refuses every send while blocked, storing nothing, and lets them through once unblocked", async () => {
      const { chatId } = await openChat();
      await sendAs(store, chatId, "alice", "before");
      expect(await store.setChatBlocked(chatId, 2)).toBe(true);
      expect(await store.directChatInfo(chatId)).toMatchObject({ blockedBy: 2 });
      expect(await store.appendMemberMessage(chatId, "alice", { ciphertext: "x", clientId: "c-x" })).toEqual({
        status: "blocked",
      });
      expect(await store.appendMemberMessage(chatId, "bob", { ciphertext: "y" })).toEqual({ status: "blocked" });
      // Membership is still checked first.
      expect(await store.appendMemberMessage(chatId, "carol", { ciphertext: "z" })).toEqual({ status: "not-member" });
      expect(ids(await store.messagesAfter(chatId, 0))).toEqual([1]);
      expect(await store.setChatBlocked(chatId, null)).toBe(true);
      expect(await store.directChatInfo(chatId)).toMatchObject({ blockedBy: null });
      const after = await store.appendMemberMessage(chatId, "alice", { ciphertext: "x", clientId: "c-x" });
      expect(after).toMatchObject({ status: "stored", message: { id: 2 } });
    });
  });

  describe("its event stream", () => {
    it("outlives the deadline it opened with while the chat goes on, and ends with `expired` once it is gone", async () => {
      const { chatId } = await openChat(300);
      const status = await store.memberStatus(chatId, "alice");
      const live = stream(chatId, status.status === "member" ? status.ttlMs : 0);
      await waitFor(() => live.items.some((item) => item.type === "members"), { what: "the stream's state" });
      const notice = await store.setChatTimer(chatId, 2, 1_200);
      await live.finished;
      expect(Date.now()).toBeGreaterThanOrEqual(notice!.expiresAt! - CLOCK_SLACK_MS);
      expect(streamMessages(live.items)).toEqual([notice]);
      expect(live.items.at(-1)).toEqual({ id: 2, type: "expired" });
      expect(await store.memberStatus(chatId, "alice")).toEqual({ status: "not-found" });
    });

    it("passes `cleared` on, and tells a stream resumed from before a clear what went", async () => {
      const { chatId } = await openChat();
      await sendAs(store, chatId, "alice", "one");
      await sendAs(store, chatId, "bob", "two");
      const live = stream(chatId, HOUR_MS);
      await waitFor(() => streamMessages(live.items).length === 2, { what: "the backlog" });
      const notice = await store.clearChat(chatId, 1);
      await waitFor(() => streamMessages(live.items).length === 3, { what: "the notice" });
      const history = (items: RoomStreamEvent[]) =>
        items.filter((item) => item.type === "message" || item.type === "cleared");
      expect(history(live.items).slice(2)).toEqual([
        { id: 2, type: "cleared", upTo: 2 },
        { id: 3, type: "message", message: notice, live: true },
      ]);
      live.abort();
      await live.finished;

      const resumed = stream(chatId, HOUR_MS, 1);
      await waitFor(() => resumed.items.some((item) => item.type === "members"), { what: "the resumed stream" });
      resumed.abort();
      await resumed.finished;
      expect(history(resumed.items)).toEqual([
        { id: 1, type: "cleared", upTo: 2 },
        { id: 3, type: "message", message: notice, live: false },
      ]);
    });
  });
});
