import { createCookie } from "@remix-run/node";
import { afterEach, describe, expect, it } from "vitest";
import { cookiePair, makeServices, TEST_SECRET, visitorCookie, visitRoom } from "../../tests/support/app";
import { createRoom, STORE_KINDS, type StoreKind } from "../../tests/support/stores";
import { newRoomToken } from "./room-token";
import type { Services } from "./services";

/** A room cookie as this app signed it before cookie names were signed (decision 003). */
const oldFormatCookie = async (roomId: string, token: string) =>
  cookiePair(await createCookie(`eph_${roomId}`, { secrets: [TEST_SECRET] }).serialize(token));

const valueOf = (cookie: string) => cookie.slice(cookie.indexOf("=") + 1);
/** The token a signed cookie value carries: base64 of its JSON, then a dot and the signature. */
const tokenOf = (cookie: string) =>
  JSON.parse(Buffer.from(decodeURIComponent(valueOf(cookie)).split(".")[0]!, "base64").toString()) as string;

describe.each(STORE_KINDS)("room gate and renamed cookies (%s store)", (kind: StoreKind) => {
  let services: Services;
  let address: string;
  /**
   * One new seat a minute, for an address of this test's own (the Redis store's limits outlive a
   * test): a cookie that passed as a returning member would skip the limit.
   */
  const oneSeatAMinute = () => {
    address = `test-${newRoomToken()}`;
    services = makeServices(kind, { RATE_LIMITS: "on", RATE_LIMIT_JOINS_PER_MINUTE: "1", TRUST_PROXY: "1" });
  };
  const visit = (roomId: string, cookie?: string) =>
    visitRoom(services, roomId, { cookie, headers: { "x-forwarded-for": address } });
  const join = async (roomId: string) => {
    const result = await visit(roomId);
    if (result.kind !== "member") throw new Error(`expected a seat, got ${JSON.stringify(result)}`);
    return cookiePair(result.setCookie);
  };
  afterEach(() => services.close());

  it("counts another room's cookie, or the visitor cookie, renamed after this room as no cookie", async () => {
    oneSeatAMinute();
    const [roomA, roomB] = [await createRoom(services.store), await createRoom(services.store)];
    const cookieA = await join(roomA);
    expect(await visit(roomB)).toMatchObject({ kind: "rate-limited" });
    expect(await visit(roomA, cookieA)).toMatchObject({ kind: "member", joined: false });
    const renamed = [`eph_${roomB}=${valueOf(cookieA)}`, `eph_${roomB}=${valueOf(await visitorCookie(services))}`];
    for (const cookie of renamed) expect(await visit(roomB, cookie)).toMatchObject({ kind: "rate-limited" });
  });

  it("lets an old-format cookie that holds its seat back in, re-issued bound; renamed, it is no cookie", async () => {
    oneSeatAMinute();
    const roomA = await createRoom(services.store);
    const token = tokenOf(await join(roomA));
    const old = await oldFormatCookie(roomA, token);
    const back = await visit(roomA, old);
    expect(back).toMatchObject({ kind: "member", joined: false, seat: 1 });
    const reissued = cookiePair(back.kind === "member" ? back.setCookie : undefined);
    expect(await services.cookies.readRoom(reissued, roomA)).toEqual({ token, bound: true });

    const roomB = await createRoom(services.store);
    for (const cookie of [await oldFormatCookie(roomB, token), await oldFormatCookie(roomB, newRoomToken())]) {
      expect(await visit(roomB, cookie)).toMatchObject({ kind: "rate-limited" });
    }
  });
});
