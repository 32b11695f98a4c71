import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rejection } from "../../../tests/support/trpc-error";
import { callerFor, joinAsNewVisitor, makeServices } from "../../../tests/support/app";
import { collect, createRoom, STORE_KINDS } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { MESSAGE_MAX_LENGTH } from "~/lib/limits";
import type { RoomEvent } from "~/lib/room-events";
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

/** Typing and receipts: best effort, so a room that is gone is `{ ok: false }`, not an error. */
function signals(caller: ReturnType<typeof callerFor>, roomId: string) {
  return [
    () => caller.message.receipt({ roomId, delivered: 1 }),
    () => caller.room.typing({ roomId, typing: true, sender: "someone" }),
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
    () => caller.message.send({ roomId, text: "hi", sender: "someone" }),
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
  afterAll(() => services.store.close());

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
      const ttl = await services.store.ttl(roomId);
      expect(ttl).toBeGreaterThan(599_000);
      expect(ttl).toBeLessThanOrEqual(600_000);
    });

    it("honours a chosen lifetime", async () => {
      const { roomId } = await callerFor(services).room.create({ ttlSeconds: 3600 });
      expect(await services.store.ttl(roomId)).toBeGreaterThan(3_599_000);
    });

    it.each([
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
    it("stores trimmed text, returns it, and lists oldest first with `mine` per viewer", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      const sent = await alice.message.send({ roomId, text: "  hello bob \n", sender: " alice " });
      expect(sent).toMatchObject({ id: 1, text: "hello bob", sender: "alice", mine: true });
      await bob.message.send({ roomId, text: "hi alice", sender: "bob" });

      const forAlice = await alice.message.list({ roomId });
      const forBob = await bob.message.list({ roomId });
      expect(forAlice.messages.map((m) => [m.text, m.mine])).toEqual([["hello bob", true], ["hi alice", false]]);
      expect(forBob.messages.map((m) => [m.text, m.mine])).toEqual([["hello bob", false], ["hi alice", true]]);
      expect(JSON.stringify(forBob)).not.toMatch(/token|author/);
    });

    it("echoes the sender's clientId to the sender only", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      const sent = await alice.message.send({ roomId, text: "hi", sender: "alice", clientId: "c-1_x" });
      expect(sent.clientId).toBe("c-1_x");
      expect((await alice.message.list({ roomId })).messages[0]?.clientId).toBe("c-1_x");
      expect((await bob.message.list({ roomId })).messages[0]).not.toHaveProperty("clientId");
      const error = await rejection(() => alice.message.send({ roomId, text: "x", sender: "a", clientId: "<script>" }));
      expect(error.message).toBe("clientId: must be 1 to 36 letters, digits, '-' or '_'");
    });

    it("accepts exactly the maximum length", async () => {
      const { roomId, alice } = await roomForTwo();
      const text = "x".repeat(MESSAGE_MAX_LENGTH);
      expect((await alice.message.send({ roomId, text, sender: "a" })).text).toBe(text);
    });

    it.each([
      ["blank text", { text: "   ", sender: "a" }, "text: must not be empty"],
      ["2001 characters", { text: "x".repeat(MESSAGE_MAX_LENGTH + 1), sender: "a" }, "text: must be at most 2000 characters"],
      ["an empty name", { text: "hi", sender: "" }, "sender: must not be empty"],
      ["a 41-character name", { text: "hi", sender: "n".repeat(41) }, "sender: must be at most 40 characters"],
      ["a number as text", { text: 42, sender: "a" }, "text: must be text"],
      ["no text at all", { sender: "a" }, "text: must be text"],
    ])("rejects %s with BAD_REQUEST naming the field", async (_case, input, message) => {
      const { roomId, alice } = await roomForTwo();
      const error = await rejection(() => alice.message.send({ roomId, ...(input as { text: string; sender: string }) }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe(message);
      expect(await alice.message.list({ roomId })).toEqual({ messages: [] });
    });

    it("names every bad field at once", async () => {
      const { roomId, alice } = await roomForTwo();
      const error = await rejection(() => alice.message.send({ roomId, text: "", sender: "" }));
      expect(error.message).toBe("text: must not be empty; sender: must not be empty");
    });
  });

  describe("membership", () => {
    it("refuses callers without the room's cookie with UNAUTHORIZED", async () => {
      const { roomId } = await roomForTwo();
      const stranger = callerFor(services);
      for (const call of [...everyRoomProcedure(stranger, roomId), ...signals(stranger, roomId)]) {
        expect((await rejection(call)).code).toBe("UNAUTHORIZED");
      }
      expect(await services.store.ttl(roomId)).not.toBeNull();
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
      await alice.message.send({ roomId, text: "one", sender: "alice" });
      await bob.message.send({ roomId, text: "two", sender: "bob" });
      await waitFor(() => history(events.items).length === 2, { what: "both messages" });
      expect(await alice.room.destroy({ roomId })).toEqual({ ok: true });
      await events.finished;

      expect(history(events.items).map((event) => event.id)).toEqual(["1", "2", "3"]);
      expect(history(events.items).map((event) => event.data)).toEqual([
        { type: "message", message: expect.objectContaining({ text: "one", mine: false, sender: "alice" }) },
        { type: "message", message: expect.objectContaining({ text: "two", mine: true, sender: "bob" }) },
        { type: "destroyed" },
      ]);
      expect(await services.store.ttl(roomId)).toBeNull();
    });

    it("resumes from lastEventId with exactly what was missed", async () => {
      const { roomId, alice, bob } = await roomForTwo();
      for (const text of ["a", "b", "c"]) await alice.message.send({ roomId, text, sender: "alice" });
      const events = collect(await bob.room.events({ roomId, lastEventId: "2" }));
      await waitFor(() => history(events.items).length === 1, { what: "the missed message" });
      await alice.message.send({ roomId, text: "d", sender: "alice" });
      await waitFor(() => history(events.items).length === 2, { what: "the live message" });
      expect(history(events.items).map((event) => event.id)).toEqual(["3", "4"]);
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
      await services.store.close();
      await admin.quit();
    }
  });
});
