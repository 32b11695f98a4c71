import { SEAL_OVERHEAD_BYTES } from "./sealed-formats";

/** Limits shared by the server's validation and the browser's form hints. */
export const MESSAGE_MAX_LENGTH = 2000;
export const SENDER_MAX_LENGTH = 40;
export const TTL_MIN_SECONDS = 10;
export const TTL_MAX_SECONDS = 86_400;

export const TTL_CHOICES = [
  { seconds: 300, label: "5 minutes" },
  { seconds: 600, label: "10 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
] as const;
export const DEFAULT_TTL_SECONDS = 600;

/**
 * Sealed (encrypted) sizes the server accepts. A message's payload is its text and the sender's
 * name as JSON, sealed with AES-GCM and base64url-encoded: even 2,000 characters that each need
 * six bytes of JSON escaping fit.
 */
export const SEALED_MESSAGE_MAX_LENGTH = 16_384;
/** The sealing overhead alone (IV and tag), in base64url characters. */
export const SEALED_MIN_LENGTH = Math.ceil((SEAL_OVERHEAD_BYTES * 4) / 3);
export const SEALED_NAME_MAX_LENGTH = 256;
/** A browser's serialised public keys for key agreement (X25519 and P-256). */
export const PUBLIC_KEYS_MAX_LENGTH = 256;
/** The browser re-encodes an image to stay under this before sealing it. */
export const IMAGE_MAX_BYTES = 2_000_000;
export const SEALED_IMAGE_MAX_BYTES = IMAGE_MAX_BYTES + SEAL_OVERHEAD_BYTES;

/**
 * Calls one HTTP request may batch. The browser's link splits larger batches itself; the server
 * refuses them, since each call may read a page of a room (up to 20 calls once took 1.5 GB).
 */
export const MAX_BATCH_CALLS = 10;
