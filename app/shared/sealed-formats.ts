/**
 * The shapes of what browsers seal, as far as the server may check them without a key: it
 * refuses what cannot be sealed data before storing it.
 */

/** AES-GCM's nonce and tag around every sealed value (app/lib/crypto/seal.ts). */
export const SEAL_IV_BYTES = 12;
export const SEAL_TAG_BYTES = 16;
export const SEAL_OVERHEAD_BYTES = SEAL_IV_BYTES + SEAL_TAG_BYTES;

/** A key check (app/lib/crypto/key-check.ts) is 128 bits: 22 base64url characters without padding. */
export const KEY_CHECK_BITS = 128;
export const KEY_CHECK_PATTERN = /^[A-Za-z0-9_-]{22}$/;
