import { randomBytes } from "node:crypto";
import type { KdfParams } from "~/lib/crypto/account-kdf";
import type { WrappedIdentity } from "~/lib/crypto/identity-keys";

/** What browsers send the account procedures, with made-up keys; imports nothing of the server (the bench uses it). */

export const FIREFOX_WINDOWS_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";

const base64url = (bytes: number) => randomBytes(bytes).toString("base64url");

/** A 32-byte auth key as deriveAccountKeys writes it. */
export const fakeAuthKey = () => base64url(32);

export const fakeKdf = (): KdfParams => ({ algorithm: "PBKDF2-SHA-256", iterations: 600_000, salt: base64url(16) });

/**
 * An identity shaped as identity-keys.ts writes one (the server never opens it): both P-256 pairs
 * and, as most browsers have them, the 25519 pairs.
 */
export function fakeIdentity(): WrappedIdentity {
  return {
    version: 1,
    keyPairs: [
      { algorithm: "X25519", publicKey: base64url(32), wrappedPrivateKey: base64url(12 + 48 + 16) },
      { algorithm: "ECDH-P-256", publicKey: base64url(65), wrappedPrivateKey: base64url(12 + 138 + 16) },
      { algorithm: "Ed25519", publicKey: base64url(32), wrappedPrivateKey: base64url(12 + 48 + 16) },
      { algorithm: "ECDSA-P-256", publicKey: base64url(65), wrappedPrivateKey: base64url(12 + 138 + 16) },
    ],
  };
}

/** What a browser signing up sends, with made-up keys. */
export function fakeSignUp(username: string) {
  return { username, kdf: fakeKdf(), authKey: fakeAuthKey(), identity: fakeIdentity() };
}
