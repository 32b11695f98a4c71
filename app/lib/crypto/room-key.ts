import { fromBase64Url, toBase64Url } from "./base64url";
import { asBufferSource } from "./bytes";

export const ROOM_KEY_BYTES = 32;
/** 32 bytes are 43 base64url characters without padding. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The room's AES-GCM key, and the text form that travels in the link's fragment. */
export interface RoomKey {
  key: CryptoKey;
  secret: string;
}

export async function generateRoomKey(): Promise<RoomKey> {
  return roomKeyFromBytes(globalThis.crypto.getRandomValues(new Uint8Array(ROOM_KEY_BYTES)));
}

export async function importRoomKey(secret: string): Promise<RoomKey | null> {
  const bytes = decodeRoomKeySecret(secret);
  return bytes ? roomKeyFromBytes(bytes) : null;
}

/** What a link's fragment holds: nothing, a room key, or something that is not one (cut short, altered). */
export type FragmentSecret = { status: "missing" } | { status: "damaged" } | { status: "key"; secret: string };

/**
 * Punctuation a link picks up when it ends a sentence ("here it is: <link>."). None of it is in
 * the key's alphabet, so dropping it can never turn one key into another.
 */
const SENTENCE_END = /[.,;:!?)\]']+$/;

/** Reads `location.hash`: a key (sentence punctuation after it tolerated), nothing, or a damaged key. */
export function readFragment(hash: string): FragmentSecret {
  const secret = (hash.startsWith("#") ? hash.slice(1) : hash).replace(SENTENCE_END, "");
  if (!secret) return { status: "missing" };
  return decodeRoomKeySecret(secret) ? { status: "key", secret } : { status: "damaged" };
}

/** The secret in `location.hash`, or null when the fragment holds no whole key. */
export function keyFromFragment(hash: string): string | null {
  const read = readFragment(hash);
  return read.status === "key" ? read.secret : null;
}

/** The key's bytes, or null unless `secret` is the one text form of 32 bytes. */
export function decodeRoomKeySecret(secret: string): Uint8Array<ArrayBuffer> | null {
  if (!SECRET_PATTERN.test(secret)) return null;
  try {
    const bytes = fromBase64Url(secret);
    return bytes.length === ROOM_KEY_BYTES ? bytes : null;
  } catch {
    return null;
  }
}

/**
 * For key agreement, which derives the bytes itself. The CryptoKey is not extractable: the secret
 * string is the only copy script can read, so nothing else can leak it by exporting the key.
 */
export async function roomKeyFromBytes(bytes: Uint8Array): Promise<RoomKey> {
  if (bytes.length !== ROOM_KEY_BYTES)
    throw new RangeError(`A room key is ${ROOM_KEY_BYTES} bytes, not ${bytes.length}`);
  const key = await globalThis.crypto.subtle.importKey("raw", asBufferSource(bytes), { name: "AES-GCM" }, false, [
    "encrypt",
    "decrypt",
  ]);
  return { key, secret: toBase64Url(bytes) };
}
