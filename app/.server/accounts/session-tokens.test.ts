import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  hashSessionToken,
  newSessionToken,
  SESSION_LIFETIME_MS,
  sessionExpiry,
  sessionNeedsTouch,
} from "./session-tokens";

describe("session tokens", () => {
  it("are 256 random bits in base64url, stored as their SHA-256", () => {
    const { token, hash } = newSessionToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(Buffer.from(hash).toString("hex")).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hashSessionToken(token)).toEqual(hash);
  });

  it("never repeat", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newSessionToken().token));
    expect(tokens.size).toBe(1000);
  });

  it("refuse anything not shaped like a token, before any lookup", () => {
    const { token } = newSessionToken();
    expect(hashSessionToken("")).toBeNull();
    expect(hashSessionToken(token.slice(1))).toBeNull();
    expect(hashSessionToken(`${token}=`)).toBeNull();
    expect(hashSessionToken(`${token.slice(1)}+`)).toBeNull();
  });

  it("slide 30 days from each use, written at most once a minute", () => {
    const now = new Date("2025-01-01T00:00:00Z");
    expect(sessionExpiry(now).getTime() - now.getTime()).toBe(SESSION_LIFETIME_MS);
    expect(SESSION_LIFETIME_MS).toBe(30 * 86_400_000);
    expect(sessionNeedsTouch(now, new Date(now.getTime() + 59_999))).toBe(false);
    expect(sessionNeedsTouch(now, new Date(now.getTime() + 60_000))).toBe(true);
  });
});
