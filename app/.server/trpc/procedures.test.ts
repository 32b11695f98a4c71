import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rejection } from "../../../tests/support/trpc-error";
import { callerFor, joinAsNewVisitor, makeServices, visitRoom } from "../../../tests/support/app";
import { collect, createRoom, remainingMs, STORE_KINDS } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { fromOpaque, opaque, opaqueName } from "../../../tests/support/opaque";
import {
  PUBLIC_KEYS_MAX_LENGTH,
  SEALED_MESSAGE_MAX_LENGTH,
  SEALED_MIN_LENGTH,
  SEALED_NAME_MAX_LENGTH,
} from "~/shared/limits";
import type { RoomEvent } from "~/shared/room-events";
import { memberIdOf } from "../room-token";
import type { Services } from "../services";

/**
 * Server-side callers yield tRPC's raw `tracked()` envelopes, [id, data, marker], although the
 * types describe the client's { id, data }; accept both so the assertions read the same.
 */
function unwrap(items: ReadonlyArray<unknown>) {
  return items.map((item) => {
    if (Array.isArray(item)) return { id: item[0] as string, data: item[1] as RoomEvent };
    return item as { id: string; data: RoomEvent };
  });
}

const HISTORY: ReadonlyArray<RoomEvent["type"]> = ["message", "destroyed", "expired"];

/** The events that are history (messages and the ending), without state such as seats or presence. */
function history(items: ReadonlyArray<unknown>) {
  return unwrap(items).filter((event) => HISTORY.includes(event.data.type));
}

/** Typing, receipts and public keys: best effort, so a room that is gone is `{ ok: false }`, not an error. */
function signals(caller: ReturnType<typeof callerFor>, roomId: string) {
  return [
    () => caller.message.receipt({ roomId, delivered: 1 }),
    () => caller.room.typing({ roomId, typing: true, name: opaqueName("someone") }),
    () => caller.room.publishKeys({ roomId, publicKeys: "x25519.someone" }),
    () => caller.room.setName({ roomId, name: opaqueName("someone") }),
  ];
}

/**
 * One call of every procedure that works inside a room, as thunks to call one at a time: a
 * rejection must always have its handler attached.
 */
function everyRoomProcedure(caller: ReturnType<typeof callerFor>, roomId: string) {
  return [
    () => caller.room.ttl({ roomId }),
    () => caller.message.list({ roomId }),
    () => caller.message.send({ roomId, ciphertext: opaque("hi"), clientId: "c-probe" }),
    () => caller.room.leave({ roomId }),
    () => caller.room.destroy({ roomId }),
    () => caller.room.events({ roomId }),
  ];
}

describe.each(STORE_KINDS)("tRPC procedures (%s store)", (kind) => {
  let services: Services;
  beforeAll(() => {
    services = makeServices(kind);
  });
  afterAll(() => services.close());

  /** A room with two seated members, as after both opened the link. */
  async function roomForTwo(ttlMs?: number) {
    const roomId = await createRoom(services.store, ttlMs);
    const alice = callerFor(services, await joinAsNewVisitor(services, roomId));
    const bob = callerFor(services, await joinAsNewVisitor(services, roomId));
    return { roomId, alice, bob };
  }

  describe("room.create", () => {
    it("creates a room with the default lifetime, without any auth", async () => {
      const { roomId } = await callerFor(services).room.create();
      expect(roomId).toMatch(/^[0-9A-Za-z]{21}$/);
      const ttl = await remainingMs(services.store, roomId);
      expect(ttl).toBeGreaterThan(599_000);
      expect(ttl).toBeLessThanOrEqual(600_000);
    });

    it("honours a chosen lifetime", async () => {
      const { roomId } = await callerFor(services).room.create({ ttlSeconds: 3600 });
      expect(await remainingMs(services.store, roomId)).toBeGreaterThan(3_599_000);
    });

    it("keeps the creator's key check with the room and gives it to whoever takes a seat", async () => {
      const keyCheck = "AAAAAAAAAAAAAAAAAAAAAA";
      const { roomId } = await callerFor(services).room.create({ keyCheck });
      expect(await visitRoom(services, roomId)).toMatchObject({ kind: "member", joined: true, keyCheck });
      const { roomId: unchecked } = await callerFor(services).room.create({ ttlSeconds: 60 });
      expect(await visitRoom(services, unchecked)).toMatchObject({ kind: "member", keyCheck: null });
    });

    it.each([
      [{ keyCheck: "A".repeat(21) }, "keyCheck: must be 22 base64url characters (letters, digits, '-' and '_')"],
      [{ keyCheck: "A".repeat(10_000) }, "keyCheck: must be 22 base64url characters (letters, digits, '-' and '_')"],
      [{ keyCheck: `${"A".repeat(21)}=` }, "keyCheck: must be 22 base64url characters (letters, digits, '-' and '_')"],
      [{ keyCheck: 42 }, "keyCheck: must be the room key's check: 22 base64url characters"],
      [{ ttlSeconds: 9 }, "ttlSeconds: must be at least 10 seconds"],
      [{ ttlSeconds: 86_401 }, "ttlSeconds: must be at most 86400 seconds (24 hours)"],
      [{ ttlSeconds: 60.5 }, "ttlSeconds: must be a whole number of seconds"],
      [{ ttlSeconds: "600" }, "ttlSeconds: must be a whole number of seconds from 10 to 86400"],
    ])("rejects %j with BAD_REQUEST naming the field", async (input, message) => {
      const error = await rejection(() => callerFor(services).room.create(input as never));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe(message);
    });
  });

  describe("room.ttl", () => {
    it("returns the seconds left", async () => {
      const { roomId, alice } = await roomForTwo(90_000);
      const { ttl, ttlMs } = await alice.room.ttl({ roomId });
      expect(ttl).toBeGreaterThan(88);
      expect(ttl).toBeLessThanOrEqual(90);
      expect(ttlMs).toBeLessThanOrEqual(90_000);
    });
  });

  describe("message.send and message.list", () => {
    it("stores the ciphertext exactly as sent, answers with its id and time (not the text), and lists oldest first with `mine` per viewer", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      const ciphertext = opaque("hello bob");
      const sent = await alice.message.send({ roomId, ciphertext, clientId: "a-1" });
      // The sender has the sealed text: the answer does not carry it back.
      expect(sent).toEqual({ id: 1, clientId: "a-1", timestamp: expect.any(Number), status: "sent" });
      await bob.message.send({ roomId, ciphertext: opaque("hi alice"), clientId: "b-1" });

      const forAlice = await alice.message.list({ roomId });
      const forBob = await bob.message.list({ roomId });
      expect(forAlice.messages.map((m) => [fromOpaque(m.ciphertext), m.mine])).toEqual([
        ["hello bob", true],
        ["hi alice", false],
      ]);
      expect(forBob.messages.map((m) => [fromOpaque(m.ciphertext), m.mine])).toEqual([
        ["hello bob", false],
        ["hi alice", true],
      ]);
      // The partner's copy is the sealed message and nothing more: no name, no text, no author.
      expect(forBob.messages[0]).toEqual({
        id: 1,
        ciphertext,
        clientId: "a-1",
        timestamp: sent.timestamp,
        mine: false,
      });
      expect(JSON.stringify(forBob)).not.toMatch(/token|author|sender|"text"/);
    });

    it("lists for someone who took a freed seat only what was sent after they arrived", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      await alice.message.send({ roomId, ciphertext: opaque("for bob only"), clientId: "a-1" });
      await bob.room.leave({ roomId });
      const carol = callerFor(services, await joinAsNewVisitor(services, roomId));
      await alice.message.send({ roomId, ciphertext: opaque("hello carol"), clientId: "a-2" });
      const forCarol = await carol.message.list({ roomId });
      expect(forCarol.messages.map((m) => fromOpaque(m.ciphertext))).toEqual(["hello carol"]);
      expect((await alice.message.list({ roomId })).messages).toHaveLength(2);
    });

    it("gives a seat back unread: the next person lists everything", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      await alice.message.send({ roomId, ciphertext: opaque("for whoever comes"), clientId: "a-1" });
      await bob.room.leave({ roomId, unread: true });
      const carol = callerFor(services, await joinAsNewVisitor(services, roomId));
      expect((await carol.message.list({ roomId })).messages.map((m) => fromOpaque(m.ciphertext))).toEqual([
        "for whoever comes",
      ]);
      const error = await rejection(() => alice.room.leave({ roomId, unread: "yes" } as never));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe("unread: must be true or false");
    });

    it("gives every reader the clientId the ciphertext is bound to, and '' for a message without one", async () => {
      const roomId = await createRoom(services.store);
      const aliceCookie = await joinAsNewVisitor(services, roomId);
      const alice = callerFor(services, aliceCookie);
      const bob = callerFor(services, await joinAsNewVisitor(services, roomId));
      const sent = await alice.message.send({ roomId, ciphertext: opaque("hi"), clientId: "c-1_x" });
      expect(sent.clientId).toBe("c-1_x");
      expect((await alice.message.list({ roomId })).messages[0]).toMatchObject({ clientId: "c-1_x", mine: true });
      expect((await bob.message.list({ roomId })).messages[0]).toMatchObject({ clientId: "c-1_x", mine: false });
      const events = collect(await bob.room.events({ roomId }));
      await waitFor(() => history(events.items).length === 1, { what: "the message on bob's stream" });
      expect(history(events.items)[0]?.data).toEqual({
        type: "message",
        message: { id: 1, ciphertext: opaque("hi"), clientId: "c-1_x", timestamp: sent.timestamp, mine: false },
      });
      // Stored without a clientId (not possible through message.send): readers get "".
      const aliceId = memberIdOf(roomId, (await services.cookies.readRoom(aliceCookie, roomId))?.token ?? "");
      await services.store.appendMemberMessage(roomId, aliceId, { ciphertext: opaque("no id") });
      expect((await bob.message.list({ roomId })).messages[1]).toMatchObject({
        ciphertext: opaque("no id"),
        clientId: "",
        mine: false,
      });
      await alice.room.destroy({ roomId });
      await events.finished;
    });

    it("accepts exactly the shortest and the longest sealed message", async () => {
      const { roomId, alice } = await roomForTwo();
      const shortest = opaque("");
      expect(shortest).toHaveLength(SEALED_MIN_LENGTH);
      expect(await alice.message.send({ roomId, ciphertext: shortest, clientId: "c-short" })).toMatchObject({ id: 1 });
      // 16,384 base64url characters are 12,288 bytes, 28 of them the stand-in's IV and tag.
      const longest = opaque("x".repeat((SEALED_MESSAGE_MAX_LENGTH * 3) / 4 - 28));
      expect(longest).toHaveLength(SEALED_MESSAGE_MAX_LENGTH);
      const sent = await alice.message.send({ roomId, ciphertext: longest, clientId: "c-long" });
      // A few dozen bytes, however long the message: the text is not echoed back.
      expect(JSON.stringify(sent).length).toBeLessThan(120);
      expect((await alice.message.list({ roomId })).messages.map((message) => message.ciphertext)).toEqual([
        shortest,
        longest,
      ]);
    });

    it("lists the messages in pages, bounded by count and by size, that `after` follows to the end", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      const large = "L".repeat(SEALED_MESSAGE_MAX_LENGTH);
      for (let index = 0; index < 120; index += 1)
        await alice.message.send({ roomId, ciphertext: opaque(`m${index}`), clientId: `s-${index}` });
      for (let index = 0; index < 20; index += 1)
        await bob.message.send({ roomId, ciphertext: large, clientId: `l-${index}` });
      const pages: { ids: number[]; hasMore: boolean }[] = [];
      let after: number | undefined;
      for (let hasMore = true; hasMore;) {
        const page = await alice.message.list(after === undefined ? { roomId } : { roomId, after });
        pages.push({ ids: page.messages.map((message) => message.id), hasMore: page.hasMore });
        expect(page.messages.every((message) => message.mine === message.id <= 120)).toBe(true);
        ({ hasMore } = page);
        after = page.messages.at(-1)?.id;
      }
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);
      // 100 by count; 20 small and 15 of 16 KB by size (256 KB); the rest.
      expect(pages).toEqual([
        { ids: range(1, 100), hasMore: true },
        { ids: range(101, 135), hasMore: true },
        { ids: range(136, 140), hasMore: false },
      ]);
      expect(await alice.message.list({ roomId, after: 140 })).toEqual({ messages: [], hasMore: false });
      const error = await rejection(() => alice.message.list({ roomId, after: -1 }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe("after: must not be negative");
    });

    const NOT_SEALED = `ciphertext: must be at least ${SEALED_MIN_LENGTH} characters: it is not sealed`;
    const NOT_BASE64URL = "ciphertext: must be base64url (letters, digits, '-' and '_')";
    const BAD_CLIENT_ID = "clientId: must be 1 to 36 letters, digits, '-' or '_'";
    it.each([
      ["plain text (too short)", { ciphertext: "hi", clientId: "c-1" }, NOT_SEALED],
      ["37 characters", { ciphertext: opaque("").slice(1), clientId: "c-1" }, NOT_SEALED],
      [
        "16,385 characters",
        { ciphertext: "A".repeat(SEALED_MESSAGE_MAX_LENGTH + 1), clientId: "c-1" },
        "ciphertext: must be at most 16384 characters",
      ],
      ["base64 with padding", { ciphertext: `${opaque("padded")}==`, clientId: "c-1" }, NOT_BASE64URL],
      ["base64's '+' and '/'", { ciphertext: `${opaque("plus")}+/`, clientId: "c-1" }, NOT_BASE64URL],
      [
        "long plain text",
        { ciphertext: "hello bob, this is plain text and it is long enough", clientId: "c-1" },
        NOT_BASE64URL,
      ],
      [
        "a number as the ciphertext",
        { ciphertext: 42, clientId: "c-1" },
        "ciphertext: must be sealed text (base64url)",
      ],
      ["no ciphertext at all", { clientId: "c-1" }, "ciphertext: must be sealed text (base64url)"],
      ["an empty clientId", { ciphertext: opaque("hi"), clientId: "" }, BAD_CLIENT_ID],
      ["a 37-character clientId", { ciphertext: opaque("hi"), clientId: "c".repeat(37) }, BAD_CLIENT_ID],
      ["markup as the clientId", { ciphertext: opaque("hi"), clientId: "<script>" }, BAD_CLIENT_ID],
    ])("rejects %s with BAD_REQUEST naming the field", async (_case, input, message) => {
      const { roomId, alice } = await roomForTwo();
      const error = await rejection(() =>
        alice.message.send({ roomId, ...(input as { ciphertext: string; clientId: string }) }),
      );
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe(message);
      expect(await alice.message.list({ roomId })).toEqual({ messages: [], hasMore: false });
    });

    it.each([
      ["no clientId", { ciphertext: opaque("hi") }],
      ["a number as the clientId", { ciphertext: opaque("hi"), clientId: 7 }],
    ])("rejects a send with %s: the ciphertext is bound to it", async (_case, input) => {
      const { roomId, alice } = await roomForTwo();
      const error = await rejection(() =>
        alice.message.send({ roomId, ...(input as { ciphertext: string; clientId: string }) }),
      );
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe("clientId: must be the send's id: 1 to 36 letters, digits, '-' or '_'");
      expect(await alice.message.list({ roomId })).toEqual({ messages: [], hasMore: false });
    });

    it("names every bad field at once", async () => {
      const { roomId, alice } = await roomForTwo();
      const error = await rejection(() => alice.message.send({ roomId, ciphertext: "hi", clientId: "" }));
      expect(error.message).toBe(`${NOT_SEALED}; ${BAD_CLIENT_ID}`);
      const both = await rejection(() => alice.message.send({ roomId, ciphertext: "hi!", clientId: "c-1" }));
      expect(both.message).toBe(`${NOT_SEALED}, ${NOT_BASE64URL.replace("ciphertext: ", "")}`);
    });
  });

  describe("room.publishKeys", () => {
    it("relays a member's public keys to the partner's stream, live and on opening, never to their own", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      const bobEvents = collect(await bob.room.events({ roomId }));
      const aliceEvents = collect(await alice.room.events({ roomId }));
      const partnerKeys = (items: ReadonlyArray<unknown>) =>
        unwrap(items)
          .map((event) => event.data)
          .filter((data) => data.type === "partner-keys");
      await waitFor(() => unwrap(aliceEvents.items).some((event) => event.data.type === "receipts"), {
        what: "alice's stream state",
      });

      expect(await alice.room.publishKeys({ roomId, publicKeys: "x25519.alice-Key_1~p256.alice-Key_1" })).toEqual({
        ok: true,
      });
      await waitFor(() => partnerKeys(bobEvents.items).length === 1, { what: "alice's keys on bob's stream" });
      expect(partnerKeys(bobEvents.items)).toEqual([
        { type: "partner-keys", publicKeys: "x25519.alice-Key_1~p256.alice-Key_1" },
      ]);

      // Bob answers with his; alice hears his, and her own never came back to her.
      expect(await bob.room.publishKeys({ roomId, publicKeys: "x25519.bob-Key_1" })).toEqual({ ok: true });
      await waitFor(() => partnerKeys(aliceEvents.items).length === 1, { what: "bob's keys on alice's stream" });
      expect(partnerKeys(aliceEvents.items)).toEqual([{ type: "partner-keys", publicKeys: "x25519.bob-Key_1" }]);
      expect(partnerKeys(bobEvents.items)).toHaveLength(1);

      // A stream opened later (a reload) starts with the partner's keys.
      const bobAgain = collect(await bob.room.events({ roomId }));
      await waitFor(() => partnerKeys(bobAgain.items).length === 1, { what: "alice's keys on opening" });
      expect(partnerKeys(bobAgain.items)).toEqual([
        { type: "partner-keys", publicKeys: "x25519.alice-Key_1~p256.alice-Key_1" },
      ]);

      await alice.room.destroy({ roomId });
      await Promise.all([bobEvents.finished, aliceEvents.finished, bobAgain.finished]);
      expect(await alice.room.publishKeys({ roomId, publicKeys: "x25519.too-late" })).toEqual({ ok: false });
    });

    it.each([
      ["no keys at all", {}, "publicKeys: must be public keys"],
      ["a number", { publicKeys: 42 }, "publicKeys: must be public keys"],
      ["an empty string", { publicKeys: "" }, "publicKeys: must hold only letters, digits, '.', '~', '-' and '_'"],
      [
        `${PUBLIC_KEYS_MAX_LENGTH + 1} characters`,
        { publicKeys: "k".repeat(PUBLIC_KEYS_MAX_LENGTH + 1) },
        `publicKeys: must be at most ${PUBLIC_KEYS_MAX_LENGTH} characters`,
      ],
      ["a space", { publicKeys: "x25519 abc" }, "publicKeys: must hold only letters, digits, '.', '~', '-' and '_'"],
      ["markup", { publicKeys: "<img src=x>" }, "publicKeys: must hold only letters, digits, '.', '~', '-' and '_'"],
    ])("rejects %s with BAD_REQUEST naming the field", async (_case, input, message) => {
      const { roomId, alice } = await roomForTwo();
      const error = await rejection(() => alice.room.publishKeys({ roomId, ...(input as { publicKeys: string }) }));
      expect(error).toMatchObject({ code: "BAD_REQUEST", message });
      expect((await services.store.roomState(roomId))?.keys).toEqual([]);
    });

    it("accepts exactly the maximum length, and refuses anyone without a seat", async () => {
      const { roomId, alice } = await roomForTwo();
      const longest = "k".repeat(PUBLIC_KEYS_MAX_LENGTH);
      expect(await alice.room.publishKeys({ roomId, publicKeys: longest })).toEqual({ ok: true });
      const outsider = callerFor(services, await joinAsNewVisitor(services, await createRoom(services.store)));
      for (const caller of [callerFor(services), outsider]) {
        const error = await rejection(() => caller.room.publishKeys({ roomId, publicKeys: "x25519.mallory" }));
        expect(error).toMatchObject({ code: "UNAUTHORIZED", message: "You are not a member of this room" });
      }
      expect((await services.store.roomState(roomId))?.keys).toEqual([{ seat: 1, publicKeys: longest }]);
    });
  });

  describe("room.setName", () => {
    const names = (items: ReadonlyArray<unknown>) =>
      unwrap(items)
        .map((event) => event.data)
        .filter((data) => data.type === "name");

    it("relays a member's sealed name at once, and starts a later stream with both seats' names", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      const aliceEvents = collect(await alice.room.events({ roomId }));
      await waitFor(() => unwrap(aliceEvents.items).some((event) => event.data.type === "receipts"), {
        what: "alice's stream state",
      });
      const bobsName = opaqueName("bob");
      expect(await bob.room.setName({ roomId, name: bobsName })).toEqual({ ok: true });
      await waitFor(() => names(aliceEvents.items).length === 1, { what: "bob's name on alice's stream" });
      expect(names(aliceEvents.items)).toEqual([{ type: "name", mine: false, name: bobsName }]);

      // Bob's stream opens after he named himself, and alice names herself: both, each marked.
      const alicesName = opaqueName("alice");
      expect(await alice.room.setName({ roomId, name: alicesName })).toEqual({ ok: true });
      const bobEvents = collect(await bob.room.events({ roomId }));
      await waitFor(() => names(bobEvents.items).length === 2, { what: "both names on bob's stream" });
      expect(names(bobEvents.items)).toEqual(
        expect.arrayContaining([
          { type: "name", mine: true, name: bobsName },
          { type: "name", mine: false, name: alicesName },
        ]),
      );
      // Names come before the seat count, so a browser knows on `members` whether it has one.
      const types = unwrap(bobEvents.items).map((event) => event.data.type);
      expect(types.lastIndexOf("name")).toBeLessThan(types.indexOf("members"));
      // A rename reaches the other side at once; alice's own copy says it is hers.
      const renamed = opaqueName("Robert");
      expect(await bob.room.setName({ roomId, name: renamed })).toEqual({ ok: true });
      await waitFor(() => names(aliceEvents.items).length === 3, { what: "the rename on alice's stream" });
      expect(names(aliceEvents.items).slice(1)).toEqual([
        { type: "name", mine: true, name: alicesName },
        { type: "name", mine: false, name: renamed },
      ]);
      await alice.room.destroy({ roomId });
      await Promise.all([aliceEvents.finished, bobEvents.finished]);
    });

    it.each([
      ["no name at all", {}, "name: must be sealed text (base64url)"],
      ["a number", { name: 7 }, "name: must be sealed text (base64url)"],
      [
        "a short plain name",
        { name: "Alice" },
        `name: must be at least ${SEALED_MIN_LENGTH} characters: it is not sealed`,
      ],
      [
        "text that is not base64url",
        { name: "Alice and Bob are here, in the clear, for everyone to read" },
        "name: must be base64url (letters, digits, '-' and '_')",
      ],
      [
        `${SEALED_NAME_MAX_LENGTH + 1} characters`,
        { name: "n".repeat(SEALED_NAME_MAX_LENGTH + 1) },
        `name: must be at most ${SEALED_NAME_MAX_LENGTH} characters`,
      ],
    ])("rejects %s with BAD_REQUEST naming the field, storing nothing", async (_case, input, message) => {
      const { roomId, alice } = await roomForTwo();
      const error = await rejection(() => alice.room.setName({ roomId, ...(input as { name: string }) }));
      expect(error).toMatchObject({ code: "BAD_REQUEST", message });
      expect((await services.store.roomState(roomId))?.names).toEqual([]);
    });

    it("refuses anyone without a seat", async () => {
      const { roomId } = await roomForTwo();
      const outsider = callerFor(services, await joinAsNewVisitor(services, await createRoom(services.store)));
      for (const caller of [callerFor(services), outsider]) {
        const error = await rejection(() => caller.room.setName({ roomId, name: opaqueName("mallory") }));
        expect(error).toMatchObject({ code: "UNAUTHORIZED", message: "You are not a member of this room" });
      }
      expect((await services.store.roomState(roomId))?.names).toEqual([]);
    });
  });

  describe("membership", () => {
    it("refuses callers without the room's cookie with UNAUTHORIZED", async () => {
      const { roomId } = await roomForTwo();
      const stranger = callerFor(services);
      for (const call of [...everyRoomProcedure(stranger, roomId), ...signals(stranger, roomId)]) {
        expect((await rejection(call)).code).toBe("UNAUTHORIZED");
      }
      expect(await remainingMs(services.store, roomId)).not.toBeNull();
    });

    it("refuses a member of one room in another room", async () => {
      const first = await roomForTwo();
      const second = await roomForTwo();
      expect((await rejection(() => first.alice.message.list({ roomId: second.roomId }))).code).toBe("UNAUTHORIZED");
    });

    it("answers NOT_FOUND for a room that is gone", async () => {
      const { roomId, alice } = await roomForTwo();
      await alice.room.destroy({ roomId });
      for (const call of everyRoomProcedure(alice, roomId)) {
        expect((await rejection(call)).code).toBe("NOT_FOUND");
      }
      for (const call of signals(alice, roomId)) expect(await call()).toEqual({ ok: false });
    });

    it("rejects a malformed room id with BAD_REQUEST naming roomId", async () => {
      const error = await rejection(() => callerFor(services).message.list({ roomId: "nope" }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe("roomId: must be a 21-character room id");
    });
  });

  describe("room.events and room.destroy", () => {
    it("streams messages to the partner, then `destroyed`, with increasing event ids", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      const events = collect(await bob.room.events({ roomId }));
      await alice.message.send({ roomId, ciphertext: opaque("one"), clientId: "a-1" });
      await bob.message.send({ roomId, ciphertext: opaque("two"), clientId: "b-1" });
      await waitFor(() => history(events.items).length === 2, { what: "both messages" });
      expect(await alice.room.destroy({ roomId })).toEqual({ ok: true });
      await events.finished;

      expect(history(events.items).map((event) => event.id)).toEqual(["1", "2", "3"]);
      expect(history(events.items).map((event) => event.data)).toEqual([
        {
          type: "message",
          message: expect.objectContaining({ ciphertext: opaque("one"), clientId: "a-1", mine: false }),
        },
        {
          type: "message",
          message: expect.objectContaining({ ciphertext: opaque("two"), clientId: "b-1", mine: true }),
        },
        { type: "destroyed" },
      ]);
      expect(await remainingMs(services.store, roomId)).toBeNull();
    });

    it("resumes from lastEventId with exactly what was missed", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      for (const text of ["a", "b", "c"])
        await alice.message.send({ roomId, ciphertext: opaque(text), clientId: `c-${text}` });
      const events = collect(await bob.room.events({ roomId, lastEventId: "2" }));
      await waitFor(() => history(events.items).length === 1, { what: "the missed message" });
      await alice.message.send({ roomId, ciphertext: opaque("d"), clientId: "c-d" });
      await waitFor(() => history(events.items).length === 2, { what: "the live message" });
      expect(history(events.items).map((event) => event.id)).toEqual(["3", "4"]);
      expect(
        history(events.items).map((event) =>
          event.data.type === "message" ? fromOpaque(event.data.message.ciphertext) : null,
        ),
      ).toEqual(["c", "d"]);
      await alice.room.destroy({ roomId });
      await events.finished;
    });

    it("rejects a malformed lastEventId with BAD_REQUEST naming it", async () => {
      const { roomId, bob } = await roomForTwo();
      const error = await rejection(() => bob.room.events({ roomId, lastEventId: "abc" }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe("lastEventId: must be an event id from this room");
    });

    it("ends with `expired` when the room runs out", async () => {
      const { roomId, bob } = await roomForTwo(500);
      const events = collect(await bob.room.events({ roomId }));
      await events.finished;
      expect(unwrap(events.items).map((event) => event.data)).toEqual([
        { type: "members", count: 2 },
        { type: "presence", here: false, lastSeen: null },
        { type: "receipts", delivered: 0, seen: 0 },
        { type: "expired" },
      ]);
    });
  });
});

describe("privacy of what Redis holds", () => {
  it("stores hashes, never the member tokens from the cookies", async () => {
    const services = makeServices("redis");
    const admin = new Redis(inject("redisUrl"));
    try {
      const roomId = await createRoom(services.store);
      const cookies = [await joinAsNewVisitor(services, roomId), await joinAsNewVisitor(services, roomId)];
      const tokens = cookies.map((cookie) => {
        const encoded = decodeURIComponent(cookie.split("=").slice(1).join("="));
        return JSON.parse(Buffer.from(encoded.split(".")[0] ?? "", "base64").toString()) as string;
      });
      expect(tokens.every((token) => /^[\w-]{22}$/.test(token))).toBe(true);
      const members = await admin.hgetall(`room:{${roomId}}:members`);
      expect(Object.keys(members)).toHaveLength(2);
      const dump = JSON.stringify(members) + JSON.stringify(await admin.hgetall(`room:{${roomId}}:meta`));
      for (const token of tokens) expect(dump).not.toContain(token);
    } finally {
      await services.close();
      await admin.quit();
    }
  });
});
