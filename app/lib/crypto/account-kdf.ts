import { fromBase64Url, toBase64Url } from "./base64url";
import { asBufferSource, utf8 } from "./bytes";

/** OWASP's Password Storage Cheat Sheet figure for PBKDF2-HMAC-SHA-256 (2023 onwards). */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
/**
 * The most a browser agrees to run: room for the count to grow for years, yet a server that
 * serves a silly number cannot freeze the tab (10 million take tens of seconds on a phone).
 */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
export const SALT_BYTES = 16;
/** A longer salt does no harm; a much longer one is a server sending something odd. */
const MAX_SALT_BYTES = 64;
const STRETCHED_BITS = 256;
export const AUTH_KEY_BYTES = 32;

const AUTH_KEY_INFO = "ephemera/1/account/auth-key";
const WRAPPING_KEY_INFO = "ephemera/1/account/wrapping-key";

/**
 * How an account's password is stretched, stored with the account and served before sign-in.
 * The iteration count is per account so it can grow: a password change takes the current default.
 */
export interface KdfParams {
  algorithm: "PBKDF2-SHA-256";
  iterations: number;
  /** At least 16 random bytes, base64url. */
  salt: string;
}

/** What the password yields. Only `authKey` ever leaves the browser. */
export interface AccountKeys {
  /** 32 bytes, base64url: what sign-up and sign-in send in place of the password. */
  authKey: string;
  /** AES-GCM-256, not extractable: wraps the account's private keys and never leaves the browser. */
  wrappingKey: CryptoKey;
}

/** The server's parameters are ones this browser will not use, most likely a weakened count. */
export class KdfParamsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KdfParamsError";
  }
}

export function newSalt(): string {
  return toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES)));
}

/** The parameters a new account (or a password change) starts with. */
export function newKdfParams(iterations = DEFAULT_PBKDF2_ITERATIONS): KdfParams {
  return { algorithm: "PBKDF2-SHA-256", iterations, salt: newSalt() };
}

export interface DeriveOptions {
  /**
   * The lowest count accepted. The parameters come from the server, and a server that served one
   * iteration would get an auth key it could guess passwords against almost for free, so the
   * floor is the default. Tests lower it to stay fast.
   */
  minimumIterations?: number;
}

/**
 * PBKDF2-SHA-256 over the NFKC-normalised password and the account's salt, then HKDF-SHA-256
 * under two labels into keys that are independent of each other: knowing the auth key (as the
 * server does) says nothing about the wrapping key, short of guessing the password.
 */
export async function deriveAccountKeys(
  password: string,
  params: KdfParams,
  { minimumIterations = DEFAULT_PBKDF2_ITERATIONS }: DeriveOptions = {},
): Promise<AccountKeys> {
  const salt = checkParams(params, minimumIterations);
  const subtle = globalThis.crypto.subtle;
  // NFKC: the same password typed on another keyboard or OS (composed "é" or e + U+0301,
  // full-width digits) gives the same bytes, so it opens the same account.
  const passwordBytes = utf8.encode(password.normalize("NFKC"));
  const passwordKey = await subtle.importKey("raw", passwordBytes, "PBKDF2", false, ["deriveBits"]);
  passwordBytes.fill(0);
  // PBKDF2 cannot derive an HKDF key directly in every browser (HKDF has no key length), so the
  // stretched bits pass through script memory for one step and are wiped.
  const stretched = new Uint8Array(
    await subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: params.iterations },
      passwordKey,
      STRETCHED_BITS,
    ),
  );
  const hkdfKey = await subtle.importKey("raw", stretched, "HKDF", false, ["deriveBits", "deriveKey"]);
  stretched.fill(0);
  const hkdf = (info: string): HkdfParams => ({
    name: "HKDF",
    hash: "SHA-256",
    salt: new Uint8Array(0),
    info: utf8.encode(info),
  });
  const [authKey, wrappingKey] = await Promise.all([
    subtle.deriveBits(hkdf(AUTH_KEY_INFO), hkdfKey, AUTH_KEY_BYTES * 8),
    // encrypt/decrypt besides wrap/unwrap: a password change re-encrypts blobs it may not be able
    // to import (see identity-keys.ts).
    subtle.deriveKey(hkdf(WRAPPING_KEY_INFO), hkdfKey, { name: "AES-GCM", length: 256 }, false, [
      "wrapKey",
      "unwrapKey",
      "encrypt",
      "decrypt",
    ]),
  ]);
  return { authKey: toBase64Url(new Uint8Array(authKey)), wrappingKey };
}

/** The salt's bytes, once the parameters are ones this browser is willing to use. */
function checkParams(params: KdfParams, minimumIterations: number): Uint8Array<ArrayBuffer> {
  if (params.algorithm !== "PBKDF2-SHA-256") throw new KdfParamsError("Only PBKDF2-SHA-256 is supported");
  const { iterations } = params;
  if (!Number.isSafeInteger(iterations) || iterations < minimumIterations || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new KdfParamsError(
      `The iteration count must be a whole number from ${minimumIterations} to ${MAX_PBKDF2_ITERATIONS}`,
    );
  }
  let salt: Uint8Array<ArrayBuffer>;
  try {
    salt = fromBase64Url(params.salt);
  } catch {
    throw new KdfParamsError("The salt is not base64url");
  }
  if (salt.length < SALT_BYTES || salt.length > MAX_SALT_BYTES) {
    throw new KdfParamsError(`The salt must be ${SALT_BYTES} to ${MAX_SALT_BYTES} bytes`);
  }
  return asBufferSource(salt);
}
