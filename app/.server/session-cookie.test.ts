import { describe, expect, it } from "vitest";
import {
  clearSessionCookie,
  readSessionToken,
  secureCookies,
  serializeSessionCookie,
  SESSION_COOKIE,
  sessionCookieName,
} from "./session-cookie";

const TOKEN = "dGhpcy1pcy1hLTI1Ni1iaXQtcmFuZG9tLXRva2VuLWhp";

describe("the session cookie", () => {
  it("is Secure and __Host- prefixed in production, except on a loopback host", () => {
    expect(secureCookies(true, "ephemera.example")).toBe(true);
    expect(secureCookies(true, null)).toBe(true);
    expect(secureCookies(true, "127.0.0.1")).toBe(false);
    expect(secureCookies(true, "localhost")).toBe(false);
    expect(secureCookies(true, "[::1]")).toBe(false);
    expect(secureCookies(false, "ephemera.example")).toBe(false);
    expect(sessionCookieName(true)).toBe("__Host-ephemera_session");
    expect(sessionCookieName(false)).toBe("ephemera_session");
  });

  it("is HttpOnly, SameSite=Lax and for the whole site, with no Domain (which __Host- forbids)", () => {
    const secure = serializeSessionCookie(TOKEN, { secure: true, maxAgeSeconds: 2_592_000 });
    expect(secure).toBe(`__Host-ephemera_session=${TOKEN}; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax; Secure`);
    const plain = serializeSessionCookie(TOKEN, { secure: false, maxAgeSeconds: 60 });
    expect(plain).toBe(`ephemera_session=${TOKEN}; Max-Age=60; Path=/; HttpOnly; SameSite=Lax`);
    expect(clearSessionCookie(true)).toMatch(
      /^__Host-ephemera_session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
  });

  it("refuses a token or lifetime that would break the header", () => {
    expect(() => serializeSessionCookie("short", { secure: false, maxAgeSeconds: 60 })).toThrow(/16-128/);
    expect(() =>
      serializeSessionCookie(`${TOKEN}; Domain=evil.example`, { secure: false, maxAgeSeconds: 60 }),
    ).toThrow();
    expect(() => serializeSessionCookie(TOKEN, { secure: false, maxAgeSeconds: 0 })).toThrow(/maxAgeSeconds/);
  });

  it("is read back only under the name its kind of request uses", () => {
    const both = `eph_v=abc; ${SESSION_COOKIE.plain}=${TOKEN}x; ${SESSION_COOKIE.secure}=${TOKEN}`;
    expect(readSessionToken(both, true)).toBe(TOKEN);
    expect(readSessionToken(both, false)).toBe(`${TOKEN}x`);
    // A plain cookie planted over HTTP is never read where the prefixed one is expected.
    expect(readSessionToken(`${SESSION_COOKIE.plain}=${TOKEN}`, true)).toBeNull();
    expect(readSessionToken(`x${SESSION_COOKIE.plain}=${TOKEN}`, false)).toBeNull();
    expect(readSessionToken(null, false)).toBeNull();
    expect(readSessionToken(`${SESSION_COOKIE.plain}=not%20a%20token`, false)).toBeNull();
    expect(readSessionToken(`${SESSION_COOKIE.plain}=`, false)).toBeNull();
  });
});
