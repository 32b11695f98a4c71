import { fromBase64Url, toBase64Url } from "./base64url";
import { bytesEqual } from "./bytes";
import { hkdfSha256 } from "./hkdf";
import { ROOM_KEY_BYTES, roomKeyFromBytes, type RoomKey } from "./room-key";

/** The partner's keys are unusable; the caller cannot do better than wait for new ones. */
export class KeyAgreementError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KeyAgreementError";
  }
}

/** One browser's side of an agreement. The private keys cannot be exported and live in memory only. */
export interface KeyAgreement {
  readonly p256: CryptoKeyPair;
  /** Null when this browser has no X25519. */
  readonly x25519: CryptoKeyPair | null;
  readonly publicKeys: string;
}

/** Raw public keys: X25519's 32-byte u-coordinate, P-256's uncompressed 65-byte point. */
export interface ParsedPublicKeys {
  x25519: Uint8Array<ArrayBuffer> | null;
  p256: Uint8Array<ArrayBuffer>;
}

const X25519_PUBLIC_BYTES = 32;
const P256_PUBLIC_BYTES = 65;
/** SEC 1's prefix for an uncompressed point; browsers do not all import compressed ones. */
const P256_UNCOMPRESSED = 0x04;
const PART_SEPARATOR = "~";
const P256_ALGORITHM: EcKeyImportParams = { name: "ECDH", namedCurve: "P-256" };
const X25519_ALGORITHM: Algorithm = { name: "X25519" };

const base64UrlLength = (bytes: number) => Math.ceil((bytes * 4) / 3);
/** `x25519.<43>~p256.<87>`: what a browser with both curves publishes. */
export const PUBLIC_KEYS_MAX_LENGTH =
  "x25519.".length +
  base64UrlLength(X25519_PUBLIC_BYTES) +
  PART_SEPARATOR.length +
  "p256.".length +
  base64UrlLength(P256_PUBLIC_BYTES);

/** Whether this runtime can make X25519 keys: unknown until the first attempt, then fixed. */
let x25519Supported: boolean | undefined;

export async function createKeyAgreement(): Promise<{ agreement: KeyAgreement; publicKeys: string }> {
  const subtle = globalThis.crypto.subtle;
  const [p256, x25519] = await Promise.all([
    subtle.generateKey(P256_ALGORITHM, false, ["deriveBits"]),
    generateX25519Pair(),
  ]);
  const parts: string[] = [];
  if (x25519) parts.push(`x25519.${toBase64Url(new Uint8Array(await subtle.exportKey("raw", x25519.publicKey)))}`);
  parts.push(`p256.${toBase64Url(new Uint8Array(await subtle.exportKey("raw", p256.publicKey)))}`);
  const publicKeys = parts.join(PART_SEPARATOR);
  return { agreement: { p256, x25519, publicKeys }, publicKeys };
}

/**
 * Structure only (labels, lengths, the uncompressed-point prefix); whether a P-256 point is on
 * the curve is for `agreeRoomKey` to find out. P-256 is required: every browser offers it.
 */
export function parsePublicKeys(text: string): ParsedPublicKeys | null {
  if (text.length > PUBLIC_KEYS_MAX_LENGTH) return null;
  let x25519: Uint8Array<ArrayBuffer> | null = null;
  let p256: Uint8Array<ArrayBuffer> | null = null;
  for (const part of text.split(PART_SEPARATOR)) {
    const dot = part.indexOf(".");
    const label = part.slice(0, dot);
    const bytes = dot > 0 ? decodeOrNull(part.slice(dot + 1)) : null;
    if (!bytes) return null;
    if (label === "x25519" && !x25519 && bytes.length === X25519_PUBLIC_BYTES) x25519 = bytes;
    else if (label === "p256" && !p256 && bytes.length === P256_PUBLIC_BYTES && bytes[0] === P256_UNCOMPRESSED)
      p256 = bytes;
    else return null;
  }
  return p256 ? { x25519, p256 } : null;
}

/**
 * The room key both browsers arrive at, whichever of them computes it: X25519 when both offered
 * it, else P-256. Throws `KeyAgreementError` for partner keys that are malformed, invalid, or
 * this browser's own keys reflected back.
 */
export async function agreeRoomKey(own: KeyAgreement, partnerPublicKeys: string, roomId: string): Promise<RoomKey> {
  const partner = parsePublicKeys(partnerPublicKeys);
  if (!partner) throw new KeyAgreementError("The partner's public keys are malformed");
  const ownKeys = parsePublicKeys(own.publicKeys);
  if (!ownKeys) throw new KeyAgreementError("This browser's own public keys are malformed");
  const reflectedX25519 =
    partner.x25519 !== null && ownKeys.x25519 !== null && bytesEqual(partner.x25519, ownKeys.x25519);
  if (reflectedX25519 || bytesEqual(partner.p256, ownKeys.p256)) {
    throw new KeyAgreementError("The partner's public keys are this browser's own");
  }
  const sharedSecret =
    own.x25519 && partner.x25519
      ? await deriveSharedSecret(X25519_ALGORITHM, partner.x25519, own.x25519.privateKey)
      : await deriveSharedSecret(P256_ALGORITHM, partner.p256, own.p256.privateKey);
  return roomKeyFromBytes(await hkdfSha256(sharedSecret, roomId, "ephemera/1/room-key", ROOM_KEY_BYTES * 8));
}

async function deriveSharedSecret(
  algorithm: Algorithm | EcKeyImportParams,
  partnerPublicKey: Uint8Array<ArrayBuffer>,
  ownPrivateKey: CryptoKey,
): Promise<Uint8Array<ArrayBuffer>> {
  const subtle = globalThis.crypto.subtle;
  let shared: Uint8Array<ArrayBuffer>;
  try {
    const publicKey = await subtle.importKey("raw", partnerPublicKey, algorithm, true, []);
    shared = new Uint8Array(await subtle.deriveBits({ name: algorithm.name, public: publicKey }, ownPrivateKey, 256));
  } catch (cause) {
    throw new KeyAgreementError(`The partner's ${algorithm.name === "X25519" ? "X25519" : "P-256"} key is not usable`, {
      cause,
    });
  }
  // A low-order X25519 point yields zeros: a secret the server would know. Runtimes refuse it; so do we.
  if (shared.every((byte) => byte === 0)) throw new KeyAgreementError("The partner's key gives a predictable secret");
  return shared;
}

async function generateX25519Pair(): Promise<CryptoKeyPair | null> {
  if (x25519Supported === false) return null;
  try {
    const generated = await globalThis.crypto.subtle.generateKey(X25519_ALGORITHM, false, ["deriveBits"]);
    if (!isKeyPair(generated)) throw new TypeError("X25519 generateKey did not make a key pair");
    x25519Supported = true;
    return generated;
  } catch {
    x25519Supported = false;
    return null;
  }
}

function isKeyPair(generated: CryptoKey | CryptoKeyPair): generated is CryptoKeyPair {
  return "privateKey" in generated && "publicKey" in generated;
}

function decodeOrNull(text: string): Uint8Array<ArrayBuffer> | null {
  try {
    return fromBase64Url(text);
  } catch {
    return null;
  }
}
