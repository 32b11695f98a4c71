/**
 * A stand-in for a sealed message, for tests of the server. A real one is base64url of AES-GCM's
 * 12-byte IV, the ciphertext and its 16-byte tag, made in the browser with a key the server never
 * sees (app/lib/crypto, tested there). This is base64url of 28 zero bytes (where the IV and the
 * tag would be) followed by the text's UTF-8: the server cannot tell it from a sealed message (it
 * passes `sealedSchema`, even for an empty text), while a test can read the text back to check
 * what arrived and in which order. Node's Buffer: tests only.
 */
const SEAL_OVERHEAD_BYTES = 28;
const PREFIX = Buffer.alloc(SEAL_OVERHEAD_BYTES);

export function opaque(text: string): string {
  return Buffer.concat([PREFIX, Buffer.from(text, "utf8")]).toString("base64url");
}

/** The text an `opaque()` ciphertext carries; throws for anything `opaque()` did not make. */
export function fromOpaque(ciphertext: string): string {
  if (!/^[\w-]*$/.test(ciphertext)) throw new Error(`not base64url: ${ciphertext.slice(0, 60)}`);
  const bytes = Buffer.from(ciphertext, "base64url");
  if (bytes.length < SEAL_OVERHEAD_BYTES || !bytes.subarray(0, SEAL_OVERHEAD_BYTES).equals(PREFIX)) {
    throw new Error(`not an opaque() stand-in: ${ciphertext.slice(0, 60)}`);
  }
  return bytes.subarray(SEAL_OVERHEAD_BYTES).toString("utf8");
}

/**
 * A sealed typing name (`room.typing`'s `name`), made the same way: even a one-letter name is
 * long enough once prefixed. `fromOpaque` reads it back.
 */
export const opaqueName = (name: string): string => opaque(name);
