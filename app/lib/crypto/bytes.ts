/**
 * WebCrypto only takes bytes backed by a plain ArrayBuffer. Most Uint8Arrays already are, and
 * pass through without a copy; one over a SharedArrayBuffer (or from another realm) is copied.
 */
export function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return isBackedByArrayBuffer(bytes) ? bytes : new Uint8Array(bytes);
}

function isBackedByArrayBuffer(bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer;
}

export function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  return left.every((byte, index) => byte === right[index]);
}

export const utf8 = {
  encode: (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text),
  /** Fatal: bytes that are not UTF-8 throw rather than turning silently into U+FFFD. */
  decode: (bytes: Uint8Array): string => new TextDecoder("utf-8", { fatal: true }).decode(bytes),
};
