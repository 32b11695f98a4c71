import { describe, expect, it } from "vitest";
import { newRoomId } from "../room-token";
import { MemoryRoomStore } from "./memory-store";
import { claimFor, type InProcessMatchRooms } from "./types";

/** The synchronous side the in-process stranger queue pairs visitors with (InProcessMatchRooms). */
describe("MemoryRoomStore as the in-process queue's rooms", () => {
  it("creates a stranger chat whose two seats only their claimants take, live until its deadline", async () => {
    let clock = Date.now();
    const store = new MemoryRoomStore({ now: () => clock });
    const rooms: InProcessMatchRooms = store;
    const roomId = newRoomId();
    expect(rooms.createMatchedRoom(roomId, 60_000, [claimFor("alice"), claimFor("bob")])).toEqual({
      expiresAt: clock + 60_000,
    });
    expect(rooms.isLive(roomId)).toBe(true);
    expect(await store.join(roomId, "someone-else")).toEqual({ status: "full", ttlMs: 60_000 });
    expect(await store.join(roomId, "bob-member", claimFor("bob"))).toMatchObject({
      status: "joined",
      seat: 2,
      kind: "match",
    });
    expect(await store.leave(roomId, "bob-member")).toBe("match");
    clock += 60_000;
    expect(rooms.isLive(roomId)).toBe(false);
    await store.close();
  });

  it("counts the seats whose page is open, and a destroyed room as not live", async () => {
    const store = new MemoryRoomStore({ presenceGraceMs: 60_000 });
    const rooms: InProcessMatchRooms = store;
    const roomId = newRoomId();
    rooms.createMatchedRoom(roomId, 60_000, [claimFor("alice"), claimFor("bob")]);
    expect(rooms.seatsHere(roomId)).toBe(0);
    const leave = await store.connect(roomId, 1);
    expect(rooms.seatsHere(roomId)).toBe(1);
    // Closed within the grace period: still here.
    leave();
    expect(rooms.seatsHere(roomId)).toBe(1);
    expect(await rooms.destroy(roomId)).toBe(true);
    expect(rooms.isLive(roomId)).toBe(false);
    expect(rooms.seatsHere(roomId)).toBe(0);
    await store.close();
  });
});
