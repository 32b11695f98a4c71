import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opaque, opaqueName } from "../../../tests/support/opaque";
import { makeMatchStores, seatsTaken, STORE_KINDS, TEST_PRESENCE_GRACE_MS } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { newRoomId } from "../room-token";
import { roomKeys } from "../rooms/redis-codec";
import type { RedisRoomStore } from "../rooms/redis-store";
import { claimFor, type RoomStore } from "../rooms/types";
import type { MatchState, MatchStore } from "./types";

let visitorSerial = 0;
const newVisitor = () => `visitor-${process.pid}-${Date.now()}-${(visitorSerial += 1)}`;

/** One queue contract, two implementations; Redis database 1 is this file's own. */
describe.each(STORE_KINDS)("MatchStore contract (%s)", (kind) => {
  let rooms: RoomStore;
  let matches: MatchStore;
  beforeAll(() => {
    ({ rooms, matches } = makeMatchStores(kind, 1));
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
    expect(await rooms.join(roomId, "alice-member", claimFor(alice))).toMatchObject({ status: "joined", seat: 1, kind: "match" });
    expect(await rooms.join(roomId, "bob-member", claimFor(bob))).toMatchObject({ status: "joined", seat: 2, kind: "match" });
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
    expect((await rooms.roomState(roomId))?.typing).toEqual([{ seat: 2, name: sealedName, expiresInMs: expect.any(Number) }]);
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

  it("counts people waiting and chatting, and the hour's matches", async () => {
    const before = await matches.hourStats();
    const { alice, roomId } = await pair();
    const waiting = newVisitor();
    await find(waiting);
    const counts = await matches.counts();
    expect(counts.waiting).toBeGreaterThanOrEqual(1);
    expect(counts.chatting).toBeGreaterThanOrEqual(2);
    await matches.end(alice, roomId, { block: false });
    const after = await matches.hourStats();
    expect(after.matches).toBe(before.matches + 1);
    expect(after.medianWaitSeconds).not.toBeNull();
    expect(after.medianChatSeconds).not.toBeNull();
    await matches.cancel(waiting);
  });

  /**
   * What the store still holds of a room: for Redis, every key naming it (on this file's own
   * database) but the minute-long note that it was ended on purpose; in memory, the room itself.
   */
  async function heldOf(roomId: string): Promise<string[]> {
    if (rooms.kind === "memory") return (rooms as unknown as { isLive(id: string): boolean }).isLive(roomId) ? [roomId] : [];
    const found = await (rooms as RedisRoomStore).connection.keys(`*${roomId}*`);
    return found.filter((key) => key !== roomKeys(roomId).ended).sort();
  }

  it.each([
    { ending: "End chat", block: false, queueAgain: false },
    { ending: "Skip", block: false, queueAgain: true },
    { ending: "Report and skip", block: true, queueAgain: true },
  ])("keeps nothing of a chat after $ending: messages, seats, presence and sealed images go", async ({ block, queueAgain }) => {
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
  });

  it("treats a chat whose room is gone as over", async () => {
    const { alice, roomId } = await pair();
    await rooms.destroy(roomId);
    expect(await matches.state(alice)).toEqual({ status: "idle" });
  });
});
