/** Only the URL-safe alphabet, never padding: these strings go into URLs and JSON as they are. */
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
/** `String.fromCharCode` takes its bytes as arguments: chunks stay well below engines' argument limits. */
const CHUNK_BYTES = 0x8000;

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK_BYTES));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Strict: besides foreign characters and impossible lengths it refuses encodings whose unused
 * trailing bits are not zero, so every byte string has exactly one text form (four different
 * 43-character secrets must not name the same room key).
 */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!BASE64URL_PATTERN.test(text)) throw new TypeError("base64url: only A-Z, a-z, 0-9, '-' and '_' are allowed");
  const remainder = text.length % 4;
  if (remainder === 1) throw new TypeError(`base64url: no byte string encodes to ${text.length} characters`);
  const unusedBitsMask = remainder === 2 ? 0b1111 : remainder === 3 ? 0b11 : 0;
  if (unusedBitsMask !== 0 && (sextet(text.charCodeAt(text.length - 1)) & unusedBitsMask) !== 0) {
    throw new TypeError("base64url: the last character has bits set that no byte uses");
  }
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - remainder) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** The 6-bit value of an already validated base64url character. */
function sextet(charCode: number): number {
  if (charCode >= 65 && charCode <= 90) return charCode - 65; // A-Z
  if (charCode >= 97 && charCode <= 122) return charCode - 71; // a-z
  if (charCode >= 48 && charCode <= 57) return charCode + 4; // 0-9
  return charCode === 45 ? 62 : 63; // '-' or '_'
}
