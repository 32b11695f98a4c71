import { createCookie } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../tests/support/wait-for";
import type { GenerationCache } from "./generation-cache";
import { RoomCookies } from "./room-cookie";
import { memberIdOf, newRoomId, newRoomToken } from "./room-token";

const SECRET = "room-cookie-test-secret-0123456789abcdef";
const ORIGIN = new URL("http://localhost:3000/");

/** `name=value` from a Set-Cookie header, as the browser sends it back. */
const pair = (setCookie: string) => setCookie.split(";")[0]!;

/** The room's token as the cookie holds it, once verified (or null). */
const tokenIn = async (cookies: RoomCookies, cookieHeader: string | null, roomId: string) =>
  (await cookies.readRoom(cookieHeader, roomId))?.token ?? null;
const sweepTimerOf = (cookies: RoomCookies) => (remembers(cookies) as unknown as { timer?: NodeJS.Timeout }).timer;
/** The verified values a RoomCookies keeps in memory. */
const remembers = (cookies: RoomCookies) =>
  (cookies as unknown as { verified: GenerationCache<{ token: string; memberId?: string }> }).verified;

describe("RoomCookies", () => {
  it("reads back what it signed, among other cookies, and again from what it remembers", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const [roomId, token] = [newRoomId(), newRoomToken()];
    const header = `theme=dark; ${pair(await cookies.serialize(roomId, token, new Date(Date.now() + 60_000), ORIGIN))}; other=1`;
    expect(await tokenIn(cookies, header, roomId)).toBe(token);
    expect(await tokenIn(cookies, header, roomId)).toBe(token);
    expect(await tokenIn(cookies, header, newRoomId())).toBeNull();
    expect(await tokenIn(cookies, null, roomId)).toBeNull();
  });

  it("reads the member id its token hashes to in its room, kept with the verified cookie", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const [roomId, token] = [newRoomId(), newRoomToken()];
    const header = `theme=dark; ${pair(await cookies.serialize(roomId, token, new Date(Date.now() + 60_000), ORIGIN))}`;
    const memberId = memberIdOf(roomId, token);
    expect(await cookies.readMemberId(header, roomId)).toBe(memberId);
    expect([...remembers(cookies).values()]).toEqual([{ token }]);
    expect(await cookies.readMemberId(header, roomId)).toBe(memberId);
    expect([...remembers(cookies).values()]).toEqual([{ token, memberId }]);
    expect(await cookies.readMemberId(header, newRoomId())).toBeNull();
    expect(await cookies.readMemberId(null, roomId)).toBeNull();
    // A changed value is not what was verified: checked from scratch, and refused.
    expect(
      await cookies.readMemberId(
        header.replace(/.$/, (last) => (last === "a" ? "b" : "a")),
        roomId,
      ),
    ).toBeNull();
  });

  it("refuses a changed or foreign signature even after the genuine value was verified", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const [roomId, token] = [newRoomId(), newRoomToken()];
    const genuine = pair(await cookies.serialize(roomId, token, new Date(Date.now() + 60_000), ORIGIN));
    expect(await tokenIn(cookies, genuine, roomId)).toBe(token);

    const [name, value] = [genuine.slice(0, genuine.indexOf("=")), genuine.slice(genuine.indexOf("=") + 1)];
    // The next-to-last character: a signature's last may carry only padding bits.
    const flipped = `${name}=${value.slice(0, -2)}${value.at(-2) === "A" ? "B" : "A"}${value.slice(-1)}`;
    expect(await tokenIn(cookies, flipped, roomId)).toBeNull();
    const otherSecret = new RoomCookies(`${SECRET}-other`, false);
    const forged = pair(await otherSecret.serialize(roomId, newRoomToken(), new Date(Date.now() + 60_000), ORIGIN));
    expect(await tokenIn(cookies, forged, roomId)).toBeNull();
    expect(await tokenIn(cookies, genuine, roomId)).toBe(token);
  });

  it("keeps visitor and room cookies apart", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const visitor = newRoomToken();
    const header = pair(await cookies.serializeVisitor(visitor, ORIGIN));
    expect(await cookies.readVisitor(header)).toBe(visitor);
    expect(await cookies.readVisitor(`x${header}`)).toBeNull();
  });

  it("binds each cookie to its name: another room's, or the visitor cookie, renamed reads as no cookie", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const [roomA, roomB, token] = [newRoomId(), newRoomId(), newRoomToken()];
    const valueOf = (setCookie: string) => pair(setCookie).slice(pair(setCookie).indexOf("=") + 1);
    const roomAValue = valueOf(await cookies.serialize(roomA, token, new Date(Date.now() + 60_000), ORIGIN));
    const visitorValue = valueOf(await cookies.serializeVisitor(token, ORIGIN));
    expect(await cookies.readRoom(`eph_${roomA}=${roomAValue}`, roomA)).toEqual({ token, bound: true });
    expect(await cookies.readRoom(`eph_${roomB}=${roomAValue}`, roomB)).toBeNull();
    expect(await cookies.readRoom(`eph_${roomB}=${visitorValue}`, roomB)).toBeNull();
    expect(await cookies.readVisitor(`eph_v=${roomAValue}`)).toBeNull();
    expect(await tokenIn(cookies, `eph_${roomB}=${roomAValue}`, roomB)).toBeNull();
  });

  it("reads a cookie signed the old way, with the secret itself, as unbound", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const [roomId, token] = [newRoomId(), newRoomToken()];
    const old = (name: string) => createCookie(name, { secrets: [SECRET] }).serialize(token);
    const oldRoom = pair(await old(`eph_${roomId}`));
    expect(await cookies.readRoom(oldRoom, roomId)).toEqual({ token, bound: false });
    expect(await cookies.readRoom(oldRoom, roomId)).toEqual({ token, bound: false });
    expect(await tokenIn(cookies, oldRoom, roomId)).toBe(token);
    expect(await cookies.readVisitor(pair(await old("eph_v")))).toBe(token);
    expect(remembers(cookies).size).toBe(0);
  });

  it("forgets the oldest verified values past its bound, and still reads them by verifying again", async () => {
    const cookies = new RoomCookies(SECRET, false);
    const first = { roomId: newRoomId(), token: newRoomToken() };
    const firstHeader = pair(await cookies.serialize(first.roomId, first.token, new Date(Date.now() + 60_000), ORIGIN));
    await tokenIn(cookies, firstHeader, first.roomId);
    const remembered = remembers(cookies);
    for (let index = 1; index < 20_000; index += 1) remembered.set(`filler-${index}`, { token: "x" });
    const next = { roomId: newRoomId(), token: newRoomToken() };
    await tokenIn(
      cookies,
      pair(await cookies.serialize(next.roomId, next.token, new Date(Date.now() + 60_000), ORIGIN)),
      next.roomId,
    );
    expect(remembered.size).toBeLessThanOrEqual(20_000);
    expect(remembered.has(firstHeader)).toBe(false);
    expect(await tokenIn(cookies, firstHeader, first.roomId)).toBe(first.token);
  });

  it("drops a verified value when its time is up, used or not, so no token outlives its room in memory", async () => {
    const cookies = new RoomCookies(SECRET, false, { verifiedTtlMs: 40 });
    const [roomId, token] = [newRoomId(), newRoomToken()];
    const header = pair(await cookies.serialize(roomId, token, new Date(Date.now() + 60_000), ORIGIN));
    expect(await tokenIn(cookies, header, roomId)).toBe(token);
    expect(remembers(cookies).size).toBe(1);
    // Nothing reads it again: it must go on its own, not wait for a later read to notice.
    await waitFor(() => remembers(cookies).size === 0, { what: "the verified cookie to be dropped" });
    // One sweep for the whole cache, not a timer per entry, and none once nothing is remembered.
    await waitFor(() => sweepTimerOf(cookies) === undefined, { what: "the sweep to stop" });
    expect(await tokenIn(cookies, header, roomId)).toBe(token);
    expect(sweepTimerOf(cookies)).toBeDefined();
  });
});
