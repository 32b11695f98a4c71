import { toBase64Url } from "./base64url";
import { hkdfSha256 } from "./hkdf";
import { decodeRoomKeySecret } from "./room-key";
// A wrong key passes by chance once in 2^KEY_CHECK_BITS.
import { KEY_CHECK_BITS } from "~/shared/sealed-formats";

/**
 * A value the creator's browser derives from the room key and gives the server with the room, so
 * a visitor's browser can tell at once that the key in its link is not this room's, before it
 * shows or sends anything. HKDF under a label of its own: one-way, and independent of the AES key
 * messages are sealed with, so from a 256-bit random key it reveals nothing that helps open or
 * forge a message; all it tells the server is whether two rooms share a key.
 */
export async function keyCheck(secret: string): Promise<string> {
  const keyBytes = decodeRoomKeySecret(secret);
  if (!keyBytes) throw new TypeError("keyCheck: not a room key secret");
  return toBase64Url(await hkdfSha256(keyBytes, "", "ephemera/1/key-check", KEY_CHECK_BITS));
}
