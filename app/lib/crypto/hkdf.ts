import { asBufferSource, utf8 } from "./bytes";

/** HKDF-SHA-256 with a text salt and info, as the room key and the safety code both use it. */
export async function hkdfSha256(
  inputKeyMaterial: Uint8Array,
  salt: string,
  info: string,
  lengthBits: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const subtle = globalThis.crypto.subtle;
  const baseKey = await subtle.importKey("raw", asBufferSource(inputKeyMaterial), "HKDF", false, ["deriveBits"]);
  const bits = await subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: utf8.encode(salt), info: utf8.encode(info) },
    baseKey,
    lengthBits,
  );
  return new Uint8Array(bits);
}
