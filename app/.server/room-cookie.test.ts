import type { LRUCache } from "lru-cache";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../tests/support/wait-for";
import { RoomCookies } from "./room-cookie";
import { newRoomId, newRoomToken } from "./room-token";

const SECRET = "room-cookie-test-secret-0123456789abcdef";
const ORIGIN = new URL("http://localhost:3000/");

/** `name=value` from a Set-Cookie header, as the browser sends it back. */
const pair = (setCookie: string) => setCookie.split(";")[0]!;

/** The verified values a RoomCookies keeps in memory. */
const remembers = (cookies: RoomCookies) => (cookies as unknown as { verified: LRUCache<string, string> }).verified;

describe("RoomCookies", () => {
  it("reads back what it signed, among other cookies, and again from what it remembers", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const [roomId, token] = [newRoomId(), newRoomToken()];
    const header = `theme=dark; ${pair(await cookies.serialize(roomId, token, new Date(Date.now() + 60_000), ORIGIN))}; other=1`;
    expect(await cookies.read(header, roomId)).toBe(token);
    expect(await cookies.read(header, roomId)).toBe(token);
    expect(await cookies.read(header, newRoomId())).toBeNull();
    expect(await cookies.read(null, roomId)).toBeNull();
  });

  it("refuses a changed or foreign signature even after the genuine value was verified", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const [roomId, token] = [newRoomId(), newRoomToken()];
    const genuine = pair(await cookies.serialize(roomId, token, new Date(Date.now() + 60_000), ORIGIN));
    expect(await cookies.read(genuine, roomId)).toBe(token);

    const [name, value] = [genuine.slice(0, genuine.indexOf("=")), genuine.slice(genuine.indexOf("=") + 1)];
    const flipped = `${name}=${value.slice(0, -2)}${value.endsWith("A") ? "B" : "A"}${value.slice(-1)}`;
    expect(await cookies.read(flipped, roomId)).toBeNull();
    const otherSecret = new RoomCookies(`${SECRET}-other`, false);
    const forged = pair(await otherSecret.serialize(roomId, newRoomToken(), new Date(Date.now() + 60_000), ORIGIN));
    expect(await cookies.read(forged, roomId)).toBeNull();
    expect(await cookies.read(genuine, roomId)).toBe(token);
  });

  it("keeps visitor and room cookies apart", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const visitor = newRoomToken();
    const header = pair(await cookies.serializeVisitor(visitor, ORIGIN));
    expect(await cookies.readVisitor(header)).toBe(visitor);
    expect(await cookies.readVisitor(`x${header}`)).toBeNull();
  });

  it("forgets the oldest verified values past its bound, and still reads them by verifying again", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const first = { roomId: newRoomId(), token: newRoomToken() };
    const firstHeader = pair(await cookies.serialize(first.roomId, first.token, new Date(Date.now() + 60_000), ORIGIN));
    await cookies.read(firstHeader, first.roomId);
    const remembered = remembers(cookies);
    for (let index = 1; index < 20_000; index += 1) remembered.set(`filler-${index}`, "x");
    const next = { roomId: newRoomId(), token: newRoomToken() };
    await cookies.read(pair(await cookies.serialize(next.roomId, next.token, new Date(Date.now() + 60_000), ORIGIN)), next.roomId);
    expect(remembered.size).toBeLessThanOrEqual(20_000);
    expect(remembered.has(firstHeader)).toBe(false);
    expect(await cookies.read(firstHeader, first.roomId)).toBe(first.token);
  });

  it("drops a verified value when its time is up, used or not, so no token outlives its room in memory", async () => {
    const cookies = new RoomCookies(SECRET, false, { verifiedTtlMs: 40 });
    const [roomId, token] = [newRoomId(), newRoomToken()];
    const header = pair(await cookies.serialize(roomId, token, new Date(Date.now() + 60_000), ORIGIN));
    expect(await cookies.read(header, roomId)).toBe(token);
    expect(remembers(cookies).size).toBe(1);
    // Nothing reads it again: it must go on its own, not wait for a later read to notice.
    await waitFor(() => remembers(cookies).size === 0, { what: "the verified cookie to be dropped" });
    expect(await cookies.read(header, roomId)).toBe(token);
  });
});
