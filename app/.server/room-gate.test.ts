import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookiePair, joinAsNewVisitor, makeServices, visitRoom } from "../../tests/support/app";
import { createRoom, remainingMs, STORE_KINDS } from "../../tests/support/stores";
import { waitFor } from "../../tests/support/wait-for";
import type { Services } from "./services";
import { memberIdOf } from "./room-token";

describe.each(STORE_KINDS)("room gate (%s store)", (kind) => {
  let services: Services;
  beforeAll(() => {
    services = makeServices(kind);
  });
  afterAll(() => services.close());

  it("seats a first visitor with a signed, HttpOnly, Lax cookie that expires with the room", async () => {
    const roomId = await createRoom(services.store, 120_000);
    const result = await visitRoom(services, roomId);
    expect(result).toMatchObject({ kind: "member", seat: 1, joined: true });
    if (result.kind !== "member") return;
    const cookie = result.setCookie ?? "";
    expect(cookie).toMatch(new RegExp(`^eph_${roomId}=`));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/; Secure/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)?.[1] ?? "");
    expect(Math.abs(expires - (Date.now() + 120_000))).toBeLessThan(2000);
  });

  it("recognises a returning member without taking another seat", async () => {
    const roomId = await createRoom(services.store);
    const cookie = await joinAsNewVisitor(services, roomId);
    const again = await visitRoom(services, roomId, { cookie });
    // Not a new seat: a browser that lost the link's key must not give this seat away.
    expect(again).toMatchObject({ kind: "member", seat: 1, joined: false });
    expect(again.kind === "member" && again.setCookie).toBeFalsy();
    await joinAsNewVisitor(services, roomId);
    expect(await visitRoom(services, roomId, { cookie })).toMatchObject({ kind: "member", seat: 1 });
  });

  it("sends a third visitor to the lobby as room-full", async () => {
    const roomId = await createRoom(services.store);
    await joinAsNewVisitor(services, roomId);
    await joinAsNewVisitor(services, roomId);
    expect(await visitRoom(services, roomId)).toEqual({ kind: "redirect", location: "/?error=room-full" });
  });

  it("sends visitors of a missing, malformed or expired room to the lobby as room-not-found", async () => {
    const notFound = { kind: "redirect", location: "/?error=room-not-found" };
    expect(await visitRoom(services, "AAAAAAAAAAAAAAAAAAAAA")).toEqual(notFound);
    expect(await visitRoom(services, "../../etc/passwd")).toEqual(notFound);
    expect(await visitRoom(services, "")).toEqual(notFound);

    const roomId = await createRoom(services.store, 200);
    const cookie = await joinAsNewVisitor(services, roomId);
    await waitFor(async () => (await remainingMs(services.store, roomId)) === null, { what: "expiry" });
    expect(await visitRoom(services, roomId, { cookie })).toEqual(notFound);
  });

  it("admits exactly 2 of 50 simultaneous first visits", async () => {
    const roomId = await createRoom(services.store);
    const results = await Promise.all(Array.from({ length: 50 }, () => visitRoom(services, roomId)));
    expect(results.filter((result) => result.kind === "member")).toHaveLength(2);
    expect(
      results.filter((result) => result.kind === "redirect" && result.location === "/?error=room-full"),
    ).toHaveLength(48);
  });

  it.each([
    ["Slack", { "user-agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" }],
    ["Telegram", { "user-agent": "TelegramBot (like TwitterBot)" }],
    [
      "iMessage",
      {
        "user-agent":
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
      },
    ],
    ["Discord", { "user-agent": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)" }],
    ["Chrome prefetch", { "sec-purpose": "prefetch" }],
    ["Chrome prerender", { "sec-purpose": "prefetch;prerender" }],
    ["legacy prefetch", { purpose: "prefetch" }],
    ["Firefox prefetch", { "x-moz": "prefetch" }],
  ])("gives the %s preview a neutral answer and no seat", async (_name, headers) => {
    const roomId = await createRoom(services.store);
    expect(await visitRoom(services, roomId, { headers })).toEqual({ kind: "preview" });
    expect(await visitRoom(services, roomId, { headers })).toEqual({ kind: "preview" });
    await joinAsNewVisitor(services, roomId);
    await joinAsNewVisitor(services, roomId);
  });

  it("ignores a forged or unsigned cookie and issues a fresh token", async () => {
    const roomId = await createRoom(services.store);
    const forged = `eph_${roomId}=${Buffer.from(JSON.stringify("AAAAAAAAAAAAAAAAAAAAAA")).toString("base64")}`;
    const result = await visitRoom(services, roomId, { cookie: forged });
    expect(result).toMatchObject({ kind: "member" });
    expect(result.kind === "member" && cookiePair(result.setCookie)).not.toBe(forged);
  });

  it("never reuses a token across rooms and never stores the token itself", async () => {
    const first = await createRoom(services.store);
    const second = await createRoom(services.store);
    const firstCookie = await joinAsNewVisitor(services, first);
    const secondCookie = await joinAsNewVisitor(services, second);
    const token = (cookie: string) => cookie.split("=").slice(1).join("=");
    expect(token(firstCookie)).not.toEqual(token(secondCookie));
    // The first room's cookie does not open the second room: it is named after the first.
    expect(firstCookie.startsWith(`eph_${first}=`)).toBe(true);
    expect(memberIdOf(first, "x")).not.toEqual(memberIdOf(second, "x"));
  });
});

describe("room gate cookies in production", () => {
  let services: Services;
  beforeAll(() => {
    services = makeServices("memory", { NODE_ENV: "production" });
  });
  afterAll(() => services.close());

  it("marks the cookie Secure on a public host", async () => {
    const roomId = await createRoom(services.store);
    const result = await visitRoom(services, roomId, { origin: "https://ephemera.example" });
    expect(result.kind === "member" && result.setCookie).toMatch(/; Secure/);
  });

  it("leaves Secure off on localhost so `npm start` works in every browser", async () => {
    const roomId = await createRoom(services.store);
    const result = await visitRoom(services, roomId, { origin: "http://localhost:3000" });
    expect(result.kind === "member" && result.setCookie).not.toMatch(/; Secure/);
  });
});
