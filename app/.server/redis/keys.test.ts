import { describe, expect, it } from "vitest";
import { allRoomKeys, ROOM_KEY_COUNT, roomKeys } from "./keys";

describe("a room's keys", () => {
  it("lists every one of them, meta first and the ended marker last, as the scripts that end a room read them", () => {
    const keys = allRoomKeys("abc");
    expect([...keys].sort()).toEqual(Object.values(roomKeys("abc")).sort());
    expect(keys[0]).toBe(roomKeys("abc").meta);
    expect(keys.at(-1)).toBe(roomKeys("abc").ended);
    expect(keys).toHaveLength(ROOM_KEY_COUNT);
  });
});
