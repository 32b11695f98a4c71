import { createHash, randomBytes } from "node:crypto";

const TOKEN_BYTES = 32;
/** 32 bytes in base64url without padding. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** How long a session lasts without use; each use (at most one write a minute) slides it. */
export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** A session's last-used time is written at most this often, so a busy browser costs no write per request. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

export interface SessionToken {
  /** For the cookie only: never stored, never logged. */
  token: string;
  /** What the store keeps: a stolen table holds nothing that signs anyone in. */
  hash: Uint8Array;
}

/** 256 random bits: far beyond guessing, so a plain (unsalted, fast) SHA-256 is the right hash. */
export function newSessionToken(): SessionToken {
  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  return { token, hash: sha256(token) };
}

/** The stored hash of a cookie's token, or null when it is not shaped like one (no lookup needed). */
export function hashSessionToken(token: string): Uint8Array | null {
  return TOKEN_FORMAT.test(token) ? sha256(token) : null;
}

/** Whether a session last used at `lastUsedAt` should be touched now. */
export function sessionNeedsTouch(lastUsedAt: Date, now: Date): boolean {
  return now.getTime() - lastUsedAt.getTime() >= SESSION_TOUCH_INTERVAL_MS;
}

export function sessionExpiry(now: Date): Date {
  return new Date(now.getTime() + SESSION_LIFETIME_MS);
}

function sha256(token: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(token, "utf8").digest());
}
