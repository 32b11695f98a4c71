import { describe, expect, it } from "vitest";
import { hkdfSha256 } from "./hkdf";
import { KEY_CHECK_PATTERN } from "~/shared/sealed-formats";
import { keyCheck } from "./key-check";
import { decodeRoomKeySecret, generateRoomKey } from "./room-key";

describe("the room key's check", () => {
  it("is 22 base64url characters, the same for the same key and different for another", async () => {
    const [one, other] = [await generateRoomKey(), await generateRoomKey()];
    const check = await keyCheck(one.secret);
    expect(check).toMatch(KEY_CHECK_PATTERN);
    expect(await keyCheck(one.secret)).toBe(check);
    expect(await keyCheck(other.secret)).not.toBe(check);
  });

  it("is derived under its own label: not the key, nor what any other use of the key derives", async () => {
    const { secret } = await generateRoomKey();
    const check = await keyCheck(secret);
    const keyBytes = decodeRoomKeySecret(secret) as Uint8Array;
    expect(Buffer.from(check, "base64url").equals(Buffer.from(keyBytes.subarray(0, 16)))).toBe(false);
    expect(secret).not.toContain(check);
    const otherLabel = await hkdfSha256(keyBytes, "", "ephemera/1/safety-code", 128);
    expect(Buffer.from(otherLabel).toString("base64url")).not.toBe(check);
  });

  it("refuses anything but a room key", async () => {
    await expect(keyCheck("short")).rejects.toThrow(TypeError);
  });
});
