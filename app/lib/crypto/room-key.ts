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

/** The secret in `location.hash`, or null when the fragment is anything but exactly a key. */
export function keyFromFragment(hash: string): string | null {
  const secret = hash.startsWith("#") ? hash.slice(1) : hash;
  return decodeRoomKeySecret(secret) ? secret : null;
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
  if (bytes.length !== ROOM_KEY_BYTES) throw new RangeError(`A room key is ${ROOM_KEY_BYTES} bytes, not ${bytes.length}`);
  const key = await globalThis.crypto.subtle.importKey("raw", asBufferSource(bytes), { name: "AES-GCM" }, false, [
    "encrypt",
    "decrypt",
  ]);
  return { key, secret: toBase64Url(bytes) };
}
