import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opaque, opaqueName } from "../../../tests/support/opaque";
import {
  makeMatchStores,
  remainingMs,
  ROOM_STORE_KINDS,
  seatsTaken,
  TEST_PRESENCE_GRACE_MS,
} from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { newRoomId } from "../room-token";
import { roomKeys } from "../redis/keys";
import { Cluster } from "ioredis";
import type { RedisClient } from "../redis/connections";
import { claimFor, type InProcessMatchRooms, type PublishedEvent, type RoomStore } from "../rooms/types";
import { LAST_PARTNER_COOLDOWN_MS } from "~/shared/match-events";
import { RedisMatchStore } from "./redis-match-store";
import type { MatchState, MatchStore } from "./types";

let visitorSerial = 0;
const newVisitor = () => `visitor-${process.pid}-${Date.now()}-${(visitorSerial += 1)}`;

/**
 * One queue contract, two implementations, on memory, one Redis and a 3-primary Cluster; Redis
 * database 1 (on the Cluster, the queue named after it) is this file's own.
 */
describe.each(ROOM_STORE_KINDS)("MatchStore contract (%s)", (kind) => {
  let rooms: RoomStore;
  let matches: MatchStore;
  let redis: RedisClient | undefined;
  beforeAll(() => {
    ({ rooms, matches, redis } = makeMatchStores(kind, 1));
  });
  afterAll(async () => {
    await matches.close();
    await rooms.close();
  });

  const find = (visitorId: string) => matches.find(visitorId, { roomId: newRoomId(), roomTtlMs: 60_000 });

  async function pair() {
    const [alice, bob] = [newVisitor(), newVisitor()];
    expect(await find(alice)).toMatchObject({ status: "waiting" });
    const matched = await find(bob);
    if (matched.status !== "matched") throw new Error(`expected a match, got ${JSON.stringify(matched)}`);
    return { alice, bob, roomId: matched.roomId };
  }

  it("queues the first visitor and pairs the next one with them, in a room with both seats claimed", async () => {
    const { alice, bob, roomId } = await pair();
    expect(await matches.state(alice)).toEqual({ status: "matched", roomId });
    expect(await matches.state(bob)).toEqual({ status: "matched", roomId });
    // Nobody else gets in, even with the URL; each of the two claims their own seat.
    expect(await rooms.join(roomId, "someone-else")).toMatchObject({ status: "full" });
    expect(await rooms.join(roomId, "alice-member", claimFor(alice))).toMatchObject({
      status: "joined",
      seat: 1,
      kind: "match",
    });
    expect(await rooms.join(roomId, "bob-member", claimFor(bob))).toMatchObject({
      status: "joined",
      seat: 2,
      kind: "match",
    });
    expect(await rooms.join(roomId, "mallory", claimFor(newVisitor()))).toMatchObject({ status: "full" });
    expect(await seatsTaken(rooms, roomId)).toBe(2);
    await matches.end(alice, roomId, { block: false });
  });

  it("lets a stranger claim their seat again if their first visit's cookie never arrived", async () => {
    const { alice, bob, roomId } = await pair();
    await rooms.join(roomId, "alice-lost-token", claimFor(alice));
    expect(await rooms.join(roomId, "alice-second-try", claimFor(alice))).toMatchObject({ status: "joined", seat: 1 });
    expect(await rooms.memberStatus(roomId, "alice-lost-token")).toMatchObject({ status: "not-member" });
    expect(await rooms.memberStatus(roomId, "alice-second-try")).toMatchObject({ status: "member", seat: 1 });
    expect(await seatsTaken(rooms, roomId)).toBe(2);
    expect(await rooms.join(roomId, "bob-token", claimFor(bob))).toMatchObject({ status: "joined", seat: 2 });
    expect(await seatsTaken(rooms, roomId)).toBe(2);
    await matches.end(alice, roomId, { block: false });
  });

  it("relays a stranger's sealed message and typing name exactly as sent: it cannot read them", async () => {
    const { alice, bob, roomId } = await pair();
    await rooms.join(roomId, "alice-member", claimFor(alice));
    await rooms.join(roomId, "bob-member", claimFor(bob));
    // Names travel sealed inside the ciphertext now; hiding them is the browsers' business.
    const ciphertext = opaque('{"n":"Alice Realname","t":"hi"}');
    const sent = await rooms.appendMemberMessage(roomId, "alice-member", { ciphertext, clientId: "c-1" });
    expect(sent).toMatchObject({ status: "stored", message: { author: 1, ciphertext, clientId: "c-1" } });
    expect((await rooms.messagesAfter(roomId, 0))?.map((message) => message.ciphertext)).toEqual([ciphertext]);
    const sealedName = opaqueName("Bob Realname");
    await rooms.setTyping(roomId, 2, { name: sealedName });
    expect((await rooms.roomState(roomId))?.typing).toEqual([
      { seat: 2, name: sealedName, expiresInMs: expect.any(Number) },
    ]);
    await matches.end(bob, roomId, { block: false });
  });

  it("tells a waiting visitor the moment they are matched", async () => {
    const alice = newVisitor();
    const heard: Array<MatchState | null> = [];
    const unsubscribe = await matches.subscribe(alice, (state) => heard.push(state));
    await find(alice);
    const matched = await find(newVisitor());
    await waitFor(() => heard.some((state) => state?.status === "matched"), { what: "the match notice" });
    expect(heard.map((state) => state?.status)).toEqual(["waiting", "matched"]);
    expect(heard[1]).toEqual(matched);
    unsubscribe();
  });

  it("pairs first come, first served, and never anyone with themselves", async () => {
    const [first, second, third] = [newVisitor(), newVisitor(), newVisitor()];
    await find(first);
    expect(await find(first)).toMatchObject({ status: "waiting" }); // asking again changes nothing
    await find(second).then((state) => expect(state.status).toBe("matched"));
    expect(await matches.state(first)).toMatchObject({ status: "matched" });
    expect(await find(third)).toMatchObject({ status: "waiting" });
    await matches.cancel(third);
    expect(await matches.state(third)).toEqual({ status: "idle" });
  });

  it("keeps a visitor in one chat: asking again returns it", async () => {
    const { alice, roomId } = await pair();
    expect(await find(alice)).toEqual({ status: "matched", roomId });
    await matches.end(alice, roomId, { block: false });
  });

  it("ends a chat for both, and does not pair the two again right away", async () => {
    const { alice, bob, roomId } = await pair();
    expect(await matches.end(bob, "another-room", { block: false })).toBeNull();
    expect(await matches.end(bob, roomId, { block: false })).toEqual({ roomId });
    expect(await matches.state(alice)).toEqual({ status: "idle" });
    expect(await matches.state(bob)).toEqual({ status: "idle" });
    expect(await matches.end(alice, roomId, { block: false })).toBeNull();
    await find(bob);
    expect(await find(alice)).toMatchObject({ status: "waiting" });
    const carol = newVisitor();
    const next = await find(carol);
    expect(next.status).toBe("matched"); // with bob, the longest waiting
    expect(await matches.state(bob)).toEqual(next);
    expect(await matches.state(alice)).toMatchObject({ status: "waiting" });
    await matches.cancel(alice);
  });

  it("tells two who just talked and both search again why they are not paired, while it is the reason", async () => {
    const startedAt = Date.now();
    const { alice, bob, roomId } = await pair();
    await matches.end(bob, roomId, { block: false });
    const heard = new Map<string, Array<MatchState | null>>([
      [alice, []],
      [bob, []],
    ]);
    const unsubscribe = await Promise.all(
      [alice, bob].map((visitor) => matches.subscribe(visitor, (state) => heard.get(visitor)!.push(state))),
    );
    const lastHeard = (visitor: string) => heard.get(visitor)!.at(-1);
    const reasonHeard = (visitor: string) => {
      const state = lastHeard(visitor);
      return state?.status === "waiting" ? (state.lastPartnerUntil ?? "none") : "not waiting";
    };

    // Alone in the queue: nothing to explain.
    const bobWaits = await find(bob);
    expect(bobWaits).toEqual({ status: "waiting", since: expect.any(Number) });
    // Then the only other person searching is the one they just talked to, for both of them.
    const aliceWaits = await find(alice);
    if (aliceWaits.status !== "waiting") throw new Error("expected alice to wait");
    const until = aliceWaits.lastPartnerUntil ?? 0;
    expect(until).toBeGreaterThanOrEqual(startedAt + LAST_PARTNER_COOLDOWN_MS - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + LAST_PARTNER_COOLDOWN_MS + 1000);
    expect(await matches.state(bob)).toEqual({ ...bobWaits, lastPartnerUntil: until });
    await waitFor(() => reasonHeard(bob) === until, { what: "bob told why" });
    // Looking again changes nothing before the cooldown ends.
    expect(await find(bob)).toEqual({ ...bobWaits, lastPartnerUntil: until });

    // Alice stops searching: bob's reason is gone, and he hears so; she comes back: it is back.
    await matches.cancel(alice);
    await waitFor(() => JSON.stringify(lastHeard(bob)) === JSON.stringify(bobWaits), {
      what: "bob told it is no longer the reason",
    });
    expect(await find(alice)).toMatchObject({ status: "waiting", lastPartnerUntil: until });
    await waitFor(() => reasonHeard(bob) === until, { what: "bob told again" });

    // Someone new meets the longest waiting (bob); alice, alone again, hears there is nothing to explain.
    const carol = newVisitor();
    const carolChat = await find(carol);
    if (carolChat.status !== "matched") throw new Error("expected carol to be paired");
    expect(await matches.state(bob)).toEqual(carolChat);
    expect(await matches.state(alice)).toEqual({ status: "waiting", since: expect.any(Number) });
    await waitFor(() => reasonHeard(alice) === "none", { what: "alice told it is no longer the reason" });

    for (const stop of unsubscribe) stop();
    await matches.end(carol, carolChat.roomId, { block: false });
    await matches.cancel(alice);
  });

  it("does not give the cooldown as the reason when a report keeps the two apart for the day", async () => {
    const { alice, bob, roomId } = await pair();
    await matches.end(alice, roomId, { block: true });
    expect(await find(alice)).toEqual({ status: "waiting", since: expect.any(Number) });
    expect(await find(bob)).toEqual({ status: "waiting", since: expect.any(Number) });
    expect(await matches.state(alice)).toEqual({ status: "waiting", since: expect.any(Number) });
    await matches.cancel(alice);
    await matches.cancel(bob);
  });

  it("never pairs a reported pair again that day, even after other chats", async () => {
    const { alice, bob, roomId } = await pair();
    await matches.end(alice, roomId, { block: true });
    // Each has another chat in between, so "not right away" no longer applies.
    for (const visitor of [alice, bob]) {
      await find(visitor);
      const other = newVisitor();
      const chat = await find(other);
      if (chat.status !== "matched") throw new Error("expected a chat");
      await matches.end(other, chat.roomId, { block: false });
    }
    await find(alice);
    expect(await find(bob)).toMatchObject({ status: "waiting" });
    await matches.cancel(alice);
    await matches.cancel(bob);
  });

  it("drops a waiting visitor whose stream stays closed past the grace period", async () => {
    const leaves = newVisitor();
    const release = await matches.hold(leaves);
    await find(leaves);
    release();
    await waitFor(async () => (await matches.state(leaves)).status === "idle", {
      what: "the closed visitor to leave the queue",
      timeoutMs: TEST_PRESENCE_GRACE_MS * 10,
    });
    const next = newVisitor();
    expect(await find(next)).toMatchObject({ status: "waiting" }); // not paired with someone gone
    await matches.cancel(next);
  });

  it("keeps a waiting visitor's place through a reload within the grace period", async () => {
    const stays = newVisitor();
    const release = await matches.hold(stays);
    await find(stays);
    release();
    const releaseAgain = await matches.hold(stays);
    // Proving that something does not happen needs the time it would have happened in.
    const past = Date.now() + TEST_PRESENCE_GRACE_MS * 3;
    await waitFor(() => Date.now() > past, { what: "the grace period to pass", timeoutMs: TEST_PRESENCE_GRACE_MS * 6 });
    expect(await matches.state(stays)).toMatchObject({ status: "waiting" });
    expect(await find(newVisitor())).toMatchObject({ status: "matched" });
    expect(await matches.state(stays)).toMatchObject({ status: "matched" });
    releaseAgain();
  });

  /** Both strangers take their seats, as their room pages do, and open the room's stream: the page is open. */
  async function openChat() {
    const { alice, bob, roomId } = await pair();
    await rooms.join(roomId, `${alice}-member`, claimFor(alice));
    await rooms.join(roomId, `${bob}-member`, claimFor(bob));
    return { alice, bob, roomId, openPage: (seat: 1 | 2) => rooms.connect(roomId, seat) };
  }

  it("counts people waiting and chatting, and the hour's matches", async () => {
    const before = await matches.hourStats();
    const { alice, roomId, openPage } = await openChat();
    const closePages = await Promise.all([openPage(1), openPage(2)]);
    const waiting = newVisitor();
    await find(waiting);
    const counts = await matches.counts();
    expect(counts.waiting).toBeGreaterThanOrEqual(1);
    expect(counts.chatting).toBeGreaterThanOrEqual(2);
    for (const close of closePages) close();
    await matches.end(alice, roomId, { block: false });
    const after = await matches.hourStats();
    expect(after.matches).toBe(before.matches + 1);
    expect(after.medianWaitSeconds).not.toBeNull();
    expect(after.medianChatSeconds).not.toBeNull();
    await matches.cancel(waiting);
  });

  it("counts a stranger as chatting while their page is open, through the grace period, and never after", async () => {
    const chatting = async () => (await matches.counts()).chatting;
    const before = await chatting();
    // Paired, and neither page ever opened the chat (or both closed it): nobody is there.
    const abandoned = await openChat();
    expect(await chatting()).toBe(before);

    const { alice, roomId, openPage } = await openChat();
    const closeAlice = await openPage(1);
    expect(await chatting()).toBe(before + 1);
    const closeBob = await openPage(2);
    // A second tab is the same person.
    const closeBobsOtherTab = await openPage(2);
    expect(await chatting()).toBe(before + 2);

    closeAlice();
    // A reload is not leaving: she counts through the grace period...
    expect(await chatting()).toBe(before + 2);
    // ...and not after it, though the chat (and its room) goes on without her.
    await waitFor(async () => (await chatting()) === before + 1, {
      what: "the closed page to stop counting",
      timeoutMs: TEST_PRESENCE_GRACE_MS * 10,
    });
    expect(await matches.state(alice)).toEqual({ status: "matched", roomId });
    // Bob's open page keeps counting, well past any lease its instance has to renew.
    const past = Date.now() + TEST_PRESENCE_GRACE_MS * 4;
    await waitFor(() => Date.now() > past, { what: "several leases to pass", timeoutMs: TEST_PRESENCE_GRACE_MS * 8 });
    expect(await chatting()).toBe(before + 1);

    // Ending the chat takes both off at once, page open or not.
    await matches.end(alice, roomId, { block: false });
    expect(await chatting()).toBe(before);
    closeBob();
    closeBobsOtherTab();
    await matches.end(abandoned.alice, abandoned.roomId, { block: false });
    expect(await chatting()).toBe(before);
  });

  /**
   * What the store still holds of a room: for Redis, every key naming it (on this file's own
   * database, or on every primary) but the minute-long note that it was ended on purpose; in memory, the room itself.
   */
  async function heldOf(roomId: string): Promise<string[]> {
    if (!redis) return (rooms as unknown as InProcessMatchRooms).isLive(roomId) ? [roomId] : [];
    const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
    const found = (await Promise.all(nodes.map((node) => node.keys(`*${roomId}*`)))).flat();
    return found.filter((key) => key !== roomKeys(roomId).ended).sort();
  }

  it.each([
    { ending: "End chat", block: false, queueAgain: false },
    { ending: "Skip", block: false, queueAgain: true },
    { ending: "Report and skip", block: true, queueAgain: true },
  ])(
    "keeps nothing of a chat after $ending: messages, seats, presence and sealed images go",
    async ({ block, queueAgain }) => {
      const { alice, bob, roomId } = await pair();
      await rooms.join(roomId, "alice-member", claimFor(alice));
      await rooms.join(roomId, "bob-member", claimFor(bob));
      await rooms.appendMemberMessage(roomId, "alice-member", { ciphertext: opaque("hello"), clientId: "c-1" });
      expect(await rooms.putImage(roomId, "bob-member", "image-1", new Uint8Array([1, 2, 3]))).toBe("stored");
      const disconnect = await rooms.connect(roomId, 1);
      expect((await heldOf(roomId)).length).toBeGreaterThan(0);

      expect(await matches.end(alice, roomId, { block })).toEqual({ roomId });
      try {
        if (queueAgain) expect(await find(alice)).toMatchObject({ status: "waiting" });
        disconnect();
        expect(await heldOf(roomId)).toEqual([]);
        expect(await rooms.getImage(roomId, "bob-member", "image-1")).toEqual({ status: "not-found" });
      } finally {
        await matches.cancel(alice);
      }
    },
  );

  it("treats a chat whose room is gone as over", async () => {
    const { alice, roomId } = await pair();
    await rooms.destroy(roomId);
    expect(await matches.state(alice)).toEqual({ status: "idle" });
  });
});

/** The Redis queue, dying where told: a process that stops between two of a match's steps. */
class DyingMatchStore extends RedisMatchStore {
  dieBefore: "creating the room" | "destroying the room" | null = null;

  private die(step: NonNullable<DyingMatchStore["dieBefore"]>) {
    if (this.dieBefore !== step) return;
    this.dieBefore = null;
    throw new Error(`the process died before ${step}`);
  }

  protected override async openRoom(...args: Parameters<RedisMatchStore["openRoom"]>) {
    this.die("creating the room");
    return super.openRoom(...args);
  }

  protected override async destroyRoom(roomId: string) {
    this.die("destroying the room");
    return super.destroyRoom(roomId);
  }
}

/**
 * Pairing and creating the room, ending a chat and destroying the room, are separate steps in
 * separate slots (decision 030): a process that dies between them leaves the next one to ask
 * (here another instance's store) to finish the job. Memory has no steps to die between.
 */
describe.each(["redis", "cluster"] as const)("MatchStore contract, a process dying between steps (%s)", (kind) => {
  let rooms: RoomStore;
  let matches: MatchStore;
  let dying: DyingMatchStore;
  beforeAll(() => {
    const made = makeMatchStores(kind, 1);
    ({ rooms, matches } = made);
    dying = new DyingMatchStore(made.connections!, TEST_PRESENCE_GRACE_MS, made.queue);
  });
  afterAll(async () => {
    await dying.close();
    await matches.close();
    await rooms.close();
  });

  it("finishes a pairing whose room was never made: the partner's next look creates it and both are told", async () => {
    const [alice, bob] = [newVisitor(), newVisitor()];
    const heard: Array<MatchState | null> = [];
    const unsubscribe = await matches.subscribe(alice, (state) => heard.push(state));
    expect(await matches.find(alice, { roomId: newRoomId(), roomTtlMs: 60_000 })).toMatchObject({ status: "waiting" });
    const roomId = newRoomId();
    dying.dieBefore = "creating the room";
    await expect(dying.find(bob, { roomId, roomTtlMs: 60_000 })).rejects.toThrow("died before creating the room");
    // Paired, but no room yet, and nobody told of a room they could not open.
    expect(await seatsTaken(rooms, roomId)).toBeNull();
    // (null: told to re-read, as a Cluster's new shard subscriber may say once it is ready.)
    expect(heard.filter(Boolean).map((state) => state?.status)).toEqual(["waiting"]);

    // Alice's stream reads her state (on another instance): that finishes the match.
    expect(await matches.state(alice)).toEqual({ status: "matched", roomId });
    await waitFor(() => heard.some((state) => state?.status === "matched"), { what: "alice told of the match" });
    expect(heard.at(-1)).toEqual({ status: "matched", roomId });
    // Bob asking again gets the same chat; the room holds both seats for the two, and nobody else.
    expect(await matches.find(bob, { roomId: newRoomId(), roomTtlMs: 60_000 })).toEqual({ status: "matched", roomId });
    expect(await rooms.join(roomId, "mallory")).toMatchObject({ status: "full" });
    expect(await rooms.join(roomId, "alice-member", claimFor(alice))).toMatchObject({ status: "joined", seat: 1 });
    expect(await rooms.join(roomId, "bob-member", claimFor(bob))).toMatchObject({ status: "joined", seat: 2 });
    expect(await remainingMs(rooms, roomId)).toBeGreaterThan(55_000);
    unsubscribe();
    await matches.end(alice, roomId, { block: false });
  });

  it("tells a waiting visitor whose search page is open of a match a dead process made, with nobody asking", async () => {
    const [alice, bob] = [newVisitor(), newVisitor()];
    const heard: Array<MatchState | null> = [];
    const unsubscribe = await matches.subscribe(alice, (state) => heard.push(state));
    const release = await matches.hold(alice);
    await matches.find(alice, { roomId: newRoomId(), roomTtlMs: 60_000 });
    const roomId = newRoomId();
    dying.dieBefore = "creating the room";
    await expect(dying.find(bob, { roomId, roomTtlMs: 60_000 })).rejects.toThrow("died before creating the room");
    // The instance holding her stream renews its leases every 2 s, and finds the match unfinished.
    await waitFor(() => heard.some((state) => state?.status === "matched"), {
      what: "alice told of the match",
      timeoutMs: 8000,
    });
    expect(heard.at(-1)).toEqual({ status: "matched", roomId });
    expect(await rooms.join(roomId, "alice-member", claimFor(alice))).toMatchObject({ status: "joined", seat: 1 });
    release();
    unsubscribe();
    await matches.end(alice, roomId, { block: false });
  });

  it("finishes ending a chat whose room was never destroyed: either one's next look destroys it", async () => {
    const [alice, bob] = [newVisitor(), newVisitor()];
    await matches.find(alice, { roomId: newRoomId(), roomTtlMs: 60_000 });
    const chat = await matches.find(bob, { roomId: newRoomId(), roomTtlMs: 60_000 });
    if (chat.status !== "matched") throw new Error("expected a match");
    await rooms.join(chat.roomId, "alice-member", claimFor(alice));
    await rooms.join(chat.roomId, "bob-member", claimFor(bob));
    const destroyed: PublishedEvent[] = [];
    const unsubscribe = await rooms.subscribe(chat.roomId, (event) => destroyed.push(event));

    dying.dieBefore = "destroying the room";
    await expect(dying.end(alice, chat.roomId, { block: true })).rejects.toThrow("died before destroying the room");
    // The chat is over for both (and reported), though its room still stands.
    expect(await seatsTaken(rooms, chat.roomId)).toBe(2);

    // Either one's next look (a search page, or Skip's search) destroys it, and the room's streams hear so.
    expect(await matches.state(bob)).toEqual({ status: "idle" });
    expect(await seatsTaken(rooms, chat.roomId)).toBeNull();
    expect(await rooms.wasEnded(chat.roomId)).toBe(true);
    await waitFor(() => destroyed.some((event) => event.type === "destroyed"), { what: "the room's destroyed event" });
    expect(await matches.state(alice)).toEqual({ status: "idle" });
    // The report held: the two are not paired again today.
    await matches.find(alice, { roomId: newRoomId(), roomTtlMs: 60_000 });
    expect(await matches.find(bob, { roomId: newRoomId(), roomTtlMs: 60_000 })).toMatchObject({ status: "waiting" });
    unsubscribe();
    await matches.cancel(alice);
    await matches.cancel(bob);
  });
});
