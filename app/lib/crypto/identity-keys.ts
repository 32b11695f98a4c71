import { fromBase64Url, toBase64Url } from "./base64url";
import { asBufferSource, utf8 } from "./bytes";
import type { KeyAgreement } from "./key-agreement";

/**
 * Every account has P-256 pairs, which every browser can use, so an account made in a browser
 * with the 25519 curves still works in one without them, and two accounts always share a curve.
 * X25519 and Ed25519 come on top where this browser has them; users of the keys prefer them.
 */
export type IdentityAlgorithm = "ECDH-P-256" | "X25519" | "ECDSA-P-256" | "Ed25519";
export type KeyPurpose = "agreement" | "signing";

/** One key pair as the server stores it: the public half as it is, the private half sealed. */
export interface WrappedKeyPair {
  algorithm: IdentityAlgorithm;
  /** Raw public key, base64url: the 65-byte uncompressed point for P-256, 32 bytes for the 25519 curves. */
  publicKey: string;
  /** base64url of a 12-byte IV, then AES-GCM over the PKCS #8 private key, tag included. */
  wrappedPrivateKey: string;
}

/** What sign-up uploads and sign-in returns. The server can read the public keys and nothing else. */
export interface WrappedIdentity {
  version: 1;
  keyPairs: WrappedKeyPair[];
}

/** Signing keys, published like agreement keys: `ed25519.<43>~p256.<87>`. */
export interface SigningKeys {
  readonly p256: CryptoKeyPair;
  /** Null when the account has no Ed25519 pair, or this browser cannot use it. */
  readonly ed25519: CryptoKeyPair | null;
  readonly publicKeys: string;
}

/**
 * The account's keys, ready to use, private halves not extractable. `agreement` has the shape of
 * a stranger chat's key agreement, so `agreeRoomKey` takes it as it is.
 */
export interface IdentityKeys {
  readonly agreement: KeyAgreement;
  readonly signing: SigningKeys;
}

/** Wrong password, or a blob that was altered, moved to another purpose or another account. */
export class UnwrapError extends Error {
  constructor(message = "The account's keys could not be unwrapped", options?: ErrorOptions) {
    super(message, options);
    this.name = "UnwrapError";
  }
}

interface AlgorithmSpec {
  purpose: KeyPurpose;
  params: Algorithm | EcKeyImportParams;
  privateUsages: KeyUsage[];
  publicUsages: KeyUsage[];
  /** P-256 must be there; the 25519 curves are a bonus a browser may lack. */
  required: boolean;
}

const SPECS: Record<IdentityAlgorithm, AlgorithmSpec> = {
  "ECDH-P-256": {
    purpose: "agreement",
    params: { name: "ECDH", namedCurve: "P-256" },
    privateUsages: ["deriveBits"],
    publicUsages: [],
    required: true,
  },
  X25519: {
    purpose: "agreement",
    params: { name: "X25519" },
    privateUsages: ["deriveBits"],
    publicUsages: [],
    required: false,
  },
  "ECDSA-P-256": {
    purpose: "signing",
    params: { name: "ECDSA", namedCurve: "P-256" },
    privateUsages: ["sign"],
    publicUsages: ["verify"],
    required: true,
  },
  Ed25519: {
    purpose: "signing",
    params: { name: "Ed25519" },
    privateUsages: ["sign"],
    publicUsages: ["verify"],
    required: false,
  },
};
const ALGORITHMS = Object.keys(SPECS) as IdentityAlgorithm[];
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PART_SEPARATOR = "~";

/** Whether this runtime can make each optional pair: unknown until the first attempt, then fixed. */
const supported = new Map<IdentityAlgorithm, boolean>();

/**
 * Sign-up: fresh key pairs, the private halves wrapped with the password's wrapping key. The
 * pairs are made extractable only so they can be wrapped; what the caller gets back are the
 * wrapped blobs unwrapped again, not extractable, which also proves the blobs open.
 */
export async function createIdentity(
  wrappingKey: CryptoKey,
  username: string,
): Promise<{ wrapped: WrappedIdentity; keys: IdentityKeys }> {
  const generated = await Promise.all(
    ALGORITHMS.map(async (algorithm) => ({ algorithm, pair: await generate(algorithm) })),
  );
  const keyPairs: WrappedKeyPair[] = [];
  for (const { algorithm, pair } of generated) {
    if (pair) keyPairs.push(await wrapPair(algorithm, pair, wrappingKey, username));
  }
  const wrapped: WrappedIdentity = { version: 1, keyPairs };
  return { wrapped, keys: await unwrapIdentity(wrapped, wrappingKey, username) };
}

/**
 * Sign-in: the account's keys, not extractable. A 25519 pair this browser cannot use is left
 * out (its P-256 sibling does the job); any other failure is an `UnwrapError`.
 */
export async function unwrapIdentity(
  wrapped: WrappedIdentity,
  wrappingKey: CryptoKey,
  username: string,
): Promise<IdentityKeys> {
  const pairs = new Map<IdentityAlgorithm, CryptoKeyPair>();
  for (const keyPair of checkIdentity(wrapped)) {
    const pair = await unwrapPair(keyPair, wrappingKey, username);
    if (pair) pairs.set(keyPair.algorithm, pair);
  }
  const ecdh = pairs.get("ECDH-P-256");
  const ecdsa = pairs.get("ECDSA-P-256");
  // checkIdentity saw both, and unwrapPair only returns null for the optional curves.
  if (!ecdh || !ecdsa) throw new UnwrapError("The account has no P-256 keys");
  const x25519 = pairs.get("X25519") ?? null;
  const ed25519 = pairs.get("Ed25519") ?? null;
  const [agreementKeys, signingKeys] = await Promise.all([
    publishedKeys([
      ["x25519", x25519],
      ["p256", ecdh],
    ]),
    publishedKeys([
      ["ed25519", ed25519],
      ["p256", ecdsa],
    ]),
  ]);
  return {
    agreement: { p256: ecdh, x25519, publicKeys: agreementKeys },
    signing: { p256: ecdsa, ed25519, publicKeys: signingKeys },
  };
}

/**
 * Password change: the same key pairs under the new password's wrapping key, so nothing anyone
 * holds of this account (its public keys, chats agreed with them) changes.
 *
 * It decrypts and re-encrypts the PKCS #8 bytes rather than unwrapKey-ing into an extractable
 * key and wrapKey-ing that: it needs no support for the key's algorithm, so a password changed
 * in a browser without X25519 keeps the account's X25519 pair instead of dropping it. The
 * private key is in script memory for the length of this function and wiped after; a script
 * able to read it then could as well read the old and new passwords from the form.
 */
export async function rewrap(
  wrapped: WrappedIdentity,
  oldWrappingKey: CryptoKey,
  newWrappingKey: CryptoKey,
  username: string,
): Promise<WrappedIdentity> {
  const subtle = globalThis.crypto.subtle;
  const keyPairs: WrappedKeyPair[] = [];
  for (const keyPair of checkIdentity(wrapped)) {
    const aad = additionalData(keyPair.algorithm, keyPair.publicKey, username);
    const { iv, ciphertext } = splitBlob(keyPair.wrappedPrivateKey);
    let pkcs8: Uint8Array;
    try {
      pkcs8 = new Uint8Array(await subtle.decrypt(gcm(iv, aad), oldWrappingKey, ciphertext));
    } catch (cause) {
      throw new UnwrapError(`The ${keyPair.algorithm} key does not open with the old password`, { cause });
    }
    const newIv = freshIv();
    const rewrapped = new Uint8Array(await subtle.encrypt(gcm(newIv, aad), newWrappingKey, asBufferSource(pkcs8)));
    pkcs8.fill(0);
    keyPairs.push({ ...keyPair, wrappedPrivateKey: joinBlob(newIv, rewrapped) });
  }
  return { version: 1, keyPairs };
}

/** The pairs, once the identity has the shape this code writes: version 1, each algorithm once, P-256 for both. */
function checkIdentity(wrapped: WrappedIdentity): WrappedKeyPair[] {
  if (wrapped.version !== 1) throw new UnwrapError(`Unknown identity version ${String(wrapped.version)}`);
  const seen = new Set<IdentityAlgorithm>();
  for (const { algorithm } of wrapped.keyPairs) {
    if (!Object.hasOwn(SPECS, algorithm)) throw new UnwrapError("Unknown key algorithm");
    if (seen.has(algorithm)) throw new UnwrapError(`Two ${algorithm} keys`);
    seen.add(algorithm);
  }
  for (const algorithm of ALGORITHMS) {
    if (SPECS[algorithm].required && !seen.has(algorithm)) throw new UnwrapError(`No ${algorithm} key`);
  }
  return wrapped.keyPairs;
}

async function generate(algorithm: IdentityAlgorithm): Promise<CryptoKeyPair | null> {
  const spec = SPECS[algorithm];
  const usages = [...spec.privateUsages, ...spec.publicUsages];
  if (spec.required) return globalThis.crypto.subtle.generateKey(spec.params, true, usages) as Promise<CryptoKeyPair>;
  if (supported.get(algorithm) === false) return null;
  try {
    const generated = await globalThis.crypto.subtle.generateKey(spec.params, true, usages);
    if (!("privateKey" in generated)) throw new TypeError(`${algorithm} generateKey did not make a key pair`);
    supported.set(algorithm, true);
    return generated;
  } catch {
    supported.set(algorithm, false);
    return null;
  }
}

async function wrapPair(
  algorithm: IdentityAlgorithm,
  pair: CryptoKeyPair,
  wrappingKey: CryptoKey,
  username: string,
): Promise<WrappedKeyPair> {
  const subtle = globalThis.crypto.subtle;
  const publicKey = toBase64Url(new Uint8Array(await subtle.exportKey("raw", pair.publicKey)));
  const iv = freshIv();
  const ciphertext = new Uint8Array(
    await subtle.wrapKey(
      "pkcs8",
      pair.privateKey,
      wrappingKey,
      gcm(iv, additionalData(algorithm, publicKey, username)),
    ),
  );
  return { algorithm, publicKey, wrappedPrivateKey: joinBlob(iv, ciphertext) };
}

async function unwrapPair(
  keyPair: WrappedKeyPair,
  wrappingKey: CryptoKey,
  username: string,
): Promise<CryptoKeyPair | null> {
  const spec = SPECS[keyPair.algorithm];
  const subtle = globalThis.crypto.subtle;
  const aad = additionalData(keyPair.algorithm, keyPair.publicKey, username);
  const { iv, ciphertext } = splitBlob(keyPair.wrappedPrivateKey);
  try {
    const publicBytes = fromBase64Url(keyPair.publicKey);
    const [privateKey, publicKey] = await Promise.all([
      subtle.unwrapKey("pkcs8", ciphertext, wrappingKey, gcm(iv, aad), spec.params, false, spec.privateUsages),
      subtle.importKey("raw", publicBytes, spec.params, true, spec.publicUsages),
    ]);
    return { privateKey, publicKey };
  } catch (cause) {
    if (!spec.required && cause instanceof DOMException && cause.name === "NotSupportedError") return null;
    throw new UnwrapError(`The ${keyPair.algorithm} key does not open`, { cause });
  }
}

/**
 * Binds a blob to what it is: the key's purpose and algorithm, its public half and the account
 * (lower-cased, as usernames are unique without regard to case). A server cannot hand a browser
 * an agreement key as a signing key (both P-256 keys are the same PKCS #8 shape), pair a private
 * key with a public key of its choosing, or move one account's blob to another. The username
 * comes last: nothing before it can hold a '/', so no two bindings read alike.
 */
function additionalData(algorithm: IdentityAlgorithm, publicKey: string, username: string): Uint8Array<ArrayBuffer> {
  return utf8.encode(
    `ephemera/1/account-key/${SPECS[algorithm].purpose}/${algorithm}/${publicKey}/${username.toLowerCase()}`,
  );
}

function gcm(iv: Uint8Array<ArrayBuffer>, additionalData: Uint8Array<ArrayBuffer>): AesGcmParams {
  return { name: "AES-GCM", iv, additionalData, tagLength: TAG_BYTES * 8 };
}

const freshIv = () => globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));

function joinBlob(iv: Uint8Array, ciphertext: Uint8Array): string {
  const blob = new Uint8Array(iv.length + ciphertext.length);
  blob.set(iv);
  blob.set(ciphertext, iv.length);
  return toBase64Url(blob);
}

function splitBlob(text: string): { iv: Uint8Array<ArrayBuffer>; ciphertext: Uint8Array<ArrayBuffer> } {
  let blob: Uint8Array<ArrayBuffer>;
  try {
    blob = fromBase64Url(text);
  } catch (cause) {
    throw new UnwrapError("A wrapped key is not base64url", { cause });
  }
  if (blob.length <= IV_BYTES + TAG_BYTES) throw new UnwrapError("A wrapped key is too short");
  return { iv: blob.subarray(0, IV_BYTES), ciphertext: blob.subarray(IV_BYTES) };
}

/** `x25519.<key>~p256.<key>` (preferred curve first), the format key-agreement.ts parses. */
async function publishedKeys(parts: Array<[label: string, pair: CryptoKeyPair | null]>): Promise<string> {
  const published: string[] = [];
  for (const [label, pair] of parts) {
    if (!pair) continue;
    const raw = new Uint8Array(await globalThis.crypto.subtle.exportKey("raw", pair.publicKey));
    published.push(`${label}.${toBase64Url(raw)}`);
  }
  return published.join(PART_SEPARATOR);
}
