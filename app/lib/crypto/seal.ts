import { fromBase64Url, toBase64Url } from "./base64url";
import { asBufferSource, utf8 } from "./bytes";
import { SEAL_IV_BYTES as IV_BYTES, SEAL_TAG_BYTES as TAG_BYTES, SEAL_OVERHEAD_BYTES } from "~/shared/sealed-formats";

/** Whatever went wrong, the caller learns only that this ciphertext cannot be trusted. */
export class DecryptError extends Error {
  constructor(message = "This could not be decrypted with the room key", options?: ErrorOptions) {
    super(message, options);
    this.name = "DecryptError";
  }
}

/**
 * What a ciphertext belongs to. It is authenticated with the ciphertext, so the server cannot move
 * it to another room, pass a message off as a typing name, a member's name or an image, or swap two messages' slots.
 */
export interface Binding {
  roomId: string;
  purpose: "message" | "image" | "typing" | "member";
  /** A message's clientId, an image's id, or "name" for the typing indicator and a member's name. */
  slot: string;
}

export async function seal(key: CryptoKey, binding: Binding, plaintext: Uint8Array): Promise<string> {
  return toBase64Url(await sealBytes(key, binding, plaintext));
}

export async function open(key: CryptoKey, binding: Binding, sealed: string): Promise<Uint8Array<ArrayBuffer>> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64Url(sealed);
  } catch (cause) {
    throw new DecryptError("The sealed text is not base64url", { cause });
  }
  return openBytes(key, binding, bytes);
}

/** For images, which travel as a binary body: base64url would add a third to two megabytes. */
export async function sealBytes(
  key: CryptoKey,
  binding: Binding,
  plaintext: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await globalThis.crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: additionalData(binding), tagLength: TAG_BYTES * 8 },
    key,
    asBufferSource(plaintext),
  );
  const sealed = new Uint8Array(IV_BYTES + ciphertext.byteLength);
  sealed.set(iv);
  sealed.set(new Uint8Array(ciphertext), IV_BYTES);
  return sealed;
}

export async function openBytes(
  key: CryptoKey,
  binding: Binding,
  sealed: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  if (sealed.length < SEAL_OVERHEAD_BYTES) throw new DecryptError("Too short to be sealed");
  const bytes = asBufferSource(sealed);
  let ad: Uint8Array<ArrayBuffer>;
  try {
    ad = additionalData(binding);
  } catch (cause) {
    throw new DecryptError("Not a valid binding", { cause });
  }
  try {
    const plaintext = await globalThis.crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES), additionalData: ad, tagLength: TAG_BYTES * 8 },
      key,
      bytes.subarray(IV_BYTES),
    );
    return new Uint8Array(plaintext);
  } catch (cause) {
    throw new DecryptError(undefined, { cause });
  }
}

function additionalData({ roomId, purpose, slot }: Binding): Uint8Array<ArrayBuffer> {
  // With a '/' in the room id, room "a/b" slot "c" and room "a" slot "b/c" would share one binding.
  if (roomId.includes("/")) throw new TypeError("A room id to bind to cannot contain '/'");
  return utf8.encode(`ephemera/1/${purpose}/${roomId}/${slot}`);
}
