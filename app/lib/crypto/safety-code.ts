import { hkdfSha256 } from "./hkdf";
import { decodeRoomKeySecret } from "./room-key";

/**
 * Six digits both people read to each other. They come from the room key alone, so both sides,
 * and a reloaded tab with the key in its fragment, show the same code, while a server that swapped
 * public keys leaves each side with its own key and so its own code.
 */
export async function safetyCode(secret: string, roomId: string): Promise<string> {
  const keyBytes = decodeRoomKeySecret(secret);
  if (!keyBytes) throw new TypeError("safetyCode: not a room key secret");
  const bits = await hkdfSha256(keyBytes, roomId, "ephemera/1/safety-code", 32);
  // 2^32 is not a multiple of a million; the bias is below 0.03 % and does not help anyone.
  const digits = String(new DataView(bits.buffer).getUint32(0) % 1_000_000).padStart(6, "0");
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}
