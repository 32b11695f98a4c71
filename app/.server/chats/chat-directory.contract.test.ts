import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeChatDirectory } from "../../../tests/support/chat-directories";
import { ROOM_STORE_KINDS, TEST_PRESENCE_GRACE_MS } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { newRoomId } from "../room-token";
import type { AccountEvent, ChatDirectory, ChatTouch } from "./types";

const HOUR = 60 * 60_000;

/** One contract, two implementations: the in-memory directory must behave exactly like Redis. */
describe.each(ROOM_STORE_KINDS)("ChatDirectory contract (%s)", (kind) => {
  let directory: ChatDirectory;
  beforeAll(() => {
    directory = makeChatDirectory(kind);
  });
  afterAll(() => directory.close());

  /** Ahead of the clock, so entries dated from it are live in Redis whatever the test's own `now`. */
  const T0 = Date.now() + 10 * 60_000;
  const touchOf = (overrides: Partial<ChatTouch> = {}): ChatTouch => ({
    chatId: newRoomId(),
    partnerId: randomUUID(),
    activityAt: T0,
    expiresAt: T0 + HOUR,
    unread: "keep",
    ...overrides,
  });

  /**
   * Everything published to the account, from a subscription that is live once this resolves. A
   * `resync` may come at any time (a Cluster's subscribers settle after startup): it only asks for
   * a re-read, and is tested on its own.
   */
  async function listen(accountId: string) {
    const events: AccountEvent[] = [];
    const unsubscribe = await directory.subscribe(accountId, (event) => {
      if (event.type !== "resync") events.push(event);
    });
    return { events, unsubscribe };
  }

  it("creates an entry on the first touch, returns it and publishes it to the account", async () => {
    const account = randomUUID();
    const { events, unsubscribe } = await listen(account);
    const touch = touchOf({ unread: "increment" });
    const entry = await directory.touch(account, touch);
    expect(entry).toEqual({
      chatId: touch.chatId,
      partnerId: touch.partnerId,
      lastActivityAt: T0,
      expiresAt: T0 + HOUR,
      unread: 1,
    });
    await waitFor(() => events.length === 1, { what: "the published entry" });
    expect(events).toEqual([{ type: "entry", entry }]);
    expect(await directory.entry(account, touch.chatId, T0)).toEqual(entry);
    unsubscribe();
  });

  it("counts unread up, clears it and keeps it, and only ever moves activity and expiry later", async () => {
    const account = randomUUID();
    const first = touchOf();
    const { chatId, partnerId } = first;
    await directory.touch(account, first);
    expect(await directory.touch(account, { ...first, activityAt: T0 + 10, unread: "increment" })).toMatchObject({
      unread: 1,
      lastActivityAt: T0 + 10,
    });
    expect(await directory.touch(account, { ...first, activityAt: T0 + 20, unread: "increment" })).toMatchObject({
      unread: 2,
    });
    // An older touch arriving late moves nothing back, but still counts.
    expect(
      await directory.touch(account, { ...first, activityAt: T0 + 5, expiresAt: T0 + 30, unread: "keep" }),
    ).toEqual({ chatId, partnerId, lastActivityAt: T0 + 20, expiresAt: T0 + HOUR, unread: 2 });
    expect(
      await directory.touch(account, { ...first, activityAt: T0 + 30, expiresAt: T0 + 2 * HOUR, unread: "clear" }),
    ).toEqual({ chatId, partnerId, lastActivityAt: T0 + 30, expiresAt: T0 + 2 * HOUR, unread: 0 });
    expect(await directory.entry(account, chatId, T0 + 40)).toMatchObject({ unread: 0, expiresAt: T0 + 2 * HOUR });
  });

  it("starts an entry afresh when the old one had expired by the touch", async () => {
    const account = randomUUID();
    const touch = touchOf({ expiresAt: T0 + 100, unread: "increment" });
    await directory.touch(account, touch);
    await directory.touch(account, { ...touch, activityAt: T0 + 1 });
    const again = await directory.touch(account, { ...touch, activityAt: T0 + 200, expiresAt: T0 + 300 });
    expect(again).toMatchObject({ lastActivityAt: T0 + 200, expiresAt: T0 + 300, unread: 1 });
  });

  it("lists live entries newest activity first, skipping and dropping expired ones", async () => {
    const account = randomUUID();
    const old = await directory.touch(account, touchOf({ activityAt: T0 + 1, expiresAt: T0 + 1000 }));
    const newest = await directory.touch(account, touchOf({ activityAt: T0 + 3, expiresAt: T0 + 5000 }));
    const middle = await directory.touch(account, touchOf({ activityAt: T0 + 2, expiresAt: T0 + 2000 }));
    expect(await directory.list(account, T0)).toEqual([newest, middle, old]);
    expect(await directory.list(account, T0 + 1000)).toEqual([newest, middle]);
    expect(await directory.entry(account, middle.chatId, T0 + 2000)).toBeNull();
    // Dropped, not just hidden: asking again at an earlier time does not bring them back.
    expect(await directory.list(account, T0)).toEqual([newest]);
    expect(await directory.entry(account, old.chatId, T0)).toBeNull();
    expect(await directory.list(randomUUID(), T0)).toEqual([]);
    expect(await directory.entry(account, newRoomId(), T0)).toBeNull();
  });

  it("gives back a list of 500 chats whole", async () => {
    const account = randomUUID();
    const touches = Array.from({ length: 500 }, (_, index) => touchOf({ activityAt: T0 + index }));
    await Promise.all(touches.map((touch) => directory.touch(account, touch)));
    const list = await directory.list(account, T0);
    expect(list).toHaveLength(500);
    expect(list.map((entry) => entry.chatId)).toEqual(touches.map((touch) => touch.chatId).reverse());
  });

  it("removes an entry, publishing that it went, and says when there was none", async () => {
    const account = randomUUID();
    const kept = await directory.touch(account, touchOf({ activityAt: T0 + 1 }));
    const gone = await directory.touch(account, touchOf());
    const { events, unsubscribe } = await listen(account);
    expect(await directory.remove(account, gone.chatId)).toBe(true);
    expect(await directory.remove(account, gone.chatId)).toBe(false);
    expect(await directory.remove(randomUUID(), gone.chatId)).toBe(false);
    await waitFor(() => events.length === 1, { what: "the removal" });
    expect(events).toEqual([{ type: "removed", chatId: gone.chatId }]);
    expect(await directory.list(account, T0)).toEqual([kept]);
    unsubscribe();
  });

  it("delivers published events to every subscriber of the account until each unsubscribes", async () => {
    const account = randomUUID();
    const first = await listen(account);
    const second = await listen(account);
    const presence = { type: "presence", accountId: randomUUID(), presence: { here: true, lastSeen: null } } as const;
    await directory.publish(account, presence);
    await waitFor(() => first.events.length === 1 && second.events.length === 1, { what: "both deliveries" });
    first.unsubscribe();
    await directory.publish(account, { type: "removed", chatId: "c1" });
    await waitFor(() => second.events.length === 2, { what: "the second delivery" });
    expect(first.events).toEqual([presence]);
    expect(second.events).toEqual([presence, { type: "removed", chatId: "c1" }]);
    second.unsubscribe();
  });

  it("shows an account as here while a stream is open and through the grace period, telling its partners", async () => {
    const [account, partner, stranger] = [randomUUID(), randomUUID(), randomUUID()];
    await directory.touch(account, touchOf({ partnerId: partner, expiresAt: Date.now() + HOUR }));
    const toPartner = await listen(partner);
    const toAccount = await listen(account);
    const toStranger = await listen(stranger);
    expect(await directory.presence([account])).toEqual(new Map([[account, { here: false, lastSeen: null }]]));

    const closeFirst = await directory.connect(account);
    const closeSecond = await directory.connect(account);
    await waitFor(() => toPartner.events.length === 1, { what: "the partner told the account is here" });
    expect(toPartner.events).toEqual([
      { type: "presence", accountId: account, presence: { here: true, lastSeen: null } },
    ]);
    expect((await directory.presence([account])).get(account)).toEqual({ here: true, lastSeen: null });

    closeFirst();
    closeFirst(); // twice changes nothing: the second stream still holds it
    const closedAt = Date.now();
    closeSecond();
    // Within the grace period the account is still here, and nothing is published.
    const during = (await directory.presence([account])).get(account);
    expect(during?.here).toBe(true);
    await waitFor(() => toPartner.events.length === 2, { what: "the partner told the account left" });
    const left = toPartner.events[1];
    expect(left).toMatchObject({ type: "presence", accountId: account, presence: { here: false } });
    const lastSeen = left?.type === "presence" ? left.presence.lastSeen : null;
    expect(lastSeen).toBeGreaterThanOrEqual(closedAt - 50);
    expect(lastSeen).toBeLessThanOrEqual(closedAt + TEST_PRESENCE_GRACE_MS);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(TEST_PRESENCE_GRACE_MS - 50);
    expect((await directory.presence([account])).get(account)).toEqual({ here: false, lastSeen });
    // Presence goes to the partners only: not to the account itself, not to anyone else.
    await directory.publish(account, { type: "removed", chatId: "marker" });
    await directory.publish(stranger, { type: "removed", chatId: "marker" });
    await waitFor(() => toAccount.events.length === 1 && toStranger.events.length === 1, { what: "the markers" });
    expect(toAccount.events).toEqual([{ type: "removed", chatId: "marker" }]);
    expect(toStranger.events).toEqual([{ type: "removed", chatId: "marker" }]);
    for (const listener of [toPartner, toAccount, toStranger]) listener.unsubscribe();
  });

  it("does not flap when a stream reopens within the grace period", async () => {
    const [account, partner] = [randomUUID(), randomUUID()];
    await directory.touch(account, touchOf({ partnerId: partner, expiresAt: Date.now() + HOUR }));
    const toPartner = await listen(partner);
    const close = await directory.connect(account);
    await waitFor(() => toPartner.events.length === 1, { what: "here" });
    close();
    const reopened = await directory.connect(account);
    // Past the grace period: still here, and the partner heard nothing more.
    const graceOver = Date.now() + TEST_PRESENCE_GRACE_MS + 200;
    await waitFor(() => Date.now() > graceOver, { what: "the grace period to pass", timeoutMs: 2000 });
    expect((await directory.presence([account])).get(account)).toMatchObject({ here: true });
    expect(toPartner.events).toHaveLength(1);
    reopened();
    await waitFor(() => toPartner.events.length === 2, { what: "gone" });
    toPartner.unsubscribe();
  });

  it("reads the presence of several accounts at once", async () => {
    const [here, gone, never] = [randomUUID(), randomUUID(), randomUUID()];
    const closeHere = await directory.connect(here);
    const closeGone = await directory.connect(gone);
    closeGone();
    await waitFor(async () => (await directory.presence([gone])).get(gone)?.here === false, { what: "gone" });
    const presence = await directory.presence([here, gone, never]);
    expect(presence.get(here)).toEqual({ here: true, lastSeen: null });
    expect(presence.get(gone)).toEqual({ here: false, lastSeen: expect.any(Number) });
    expect(presence.get(never)).toEqual({ here: false, lastSeen: null });
    expect(presence.size).toBe(3);
    closeHere();
  });
});
