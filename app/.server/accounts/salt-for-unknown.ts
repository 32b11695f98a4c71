import { createHmac, randomBytes } from "node:crypto";

/** As the browser makes them (app/lib/crypto/account-kdf.ts): 16 random bytes. */
export const SALT_BYTES = 16;

export function newSalt(): Uint8Array {
  return new Uint8Array(randomBytes(SALT_BYTES));
}

/** Keeps this use of the server secret apart from its others (cookie signatures, rate-limit keys). */
const LABEL = "ephemera/1/unknown-account-salt\0";

/**
 * The salt served for a username no account has: the same every time for that name (on every
 * instance sharing the secret), and as random-looking as a real one, so the salt lookup tells no
 * one which names exist. HMAC-SHA-256 of the lowercase name, cut to a real salt's length.
 */
export function saltForUnknownUsername(secret: string, normalizedUsername: string): Uint8Array {
  const mac = createHmac("sha256", secret).update(LABEL).update(normalizedUsername, "utf8").digest();
  return new Uint8Array(mac.subarray(0, SALT_BYTES));
}
