import { hash } from "node:crypto";
import { customAlphabet, nanoid } from "nanoid";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 21 characters of a 62-letter alphabet: about 125 bits, unguessable, and safe in a cookie name. */
export const ROOM_ID_LENGTH = 21;
export const ROOM_ID_PATTERN = /^[0-9A-Za-z]{21}$/;
export const newRoomId = customAlphabet(ALPHABET, ROOM_ID_LENGTH);

const TOKEN_PATTERN = /^[\w-]{22}$/;

/**
 * A fresh 132-bit member token (22 base64url characters), scoped to one room by the cookie that
 * carries it. nanoid draws from a pooled buffer of the system's CSPRNG: a tenth of the cost of a
 * `randomBytes` call per visit, which showed in the profile of every room joined.
 */
export function newRoomToken(): string {
  return nanoid(22);
}

export function isRoomToken(value: unknown): value is string {
  return typeof value === "string" && TOKEN_PATTERN.test(value);
}

/**
 * What the store keeps instead of the token: a one-way hash, so a Redis dump or a memory snapshot
 * cannot be replayed as a cookie. The room id is mixed in so a token means nothing elsewhere.
 */
export function memberIdOf(roomId: string, token: string): string {
  // One-shot hashing: a Hash object per call cost four to five times as much, on every send,
  // receipt and stream open. The same bytes are hashed, so every stored member id still matches.
  return hash("sha256", `${roomId}:${token}`, "base64url").slice(0, 22);
}

/**
 * A visitor of "Talk to a stranger", as the stores know them: a hash of the token in their
 * visitor cookie, so a dump of the queue cannot be replayed as anyone's cookie.
 */
export function visitorIdOf(token: string): string {
  return hash("sha256", `visitor:${token}`, "base64url").slice(0, 22);
}
