import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "./base64url";
import { generateRoomKey } from "./room-key";
import { SEAL_OVERHEAD_BYTES } from "~/shared/sealed-formats";
import { type Binding, DecryptError, open, openBytes, seal, sealBytes } from "./seal";

const ROOM = "room1234567890abcdefg";
const binding: Binding = { roomId: ROOM, purpose: "message", slot: "client-1" };
const bytesOf = (text: string) => new TextEncoder().encode(text);

describe("seal and open", () => {
  it.each([
    ["empty", new Uint8Array(0)],
    ["short", bytesOf("hello")],
    ["64 KB", Uint8Array.from({ length: 65_536 }, (_, index) => (index * 31) % 256)],
  ])("round-trips %s input, adding exactly the IV and the tag", async (_, plaintext) => {
    const { key } = await generateRoomKey();
    const sealed = await seal(key, binding, plaintext);
    expect(fromBase64Url(sealed)).toHaveLength(plaintext.length + SEAL_OVERHEAD_BYTES);
    expect(await open(key, binding, sealed)).toEqual(plaintext);
  });

  it("seals the same plaintext differently each time, with a fresh IV", async () => {
    const { key } = await generateRoomKey();
    const first = fromBase64Url(await seal(key, binding, bytesOf("same")));
    const second = fromBase64Url(await seal(key, binding, bytesOf("same")));
    expect(SEAL_OVERHEAD_BYTES).toBe(28);
    expect(first.subarray(0, 12)).not.toEqual(second.subarray(0, 12));
    expect(first).not.toEqual(second);
  });

  it("refuses any single flipped bit, in the IV, the ciphertext or the tag", async () => {
    const { key } = await generateRoomKey();
    const sealed = fromBase64Url(await seal(key, binding, bytesOf("attack at dawn")));
    const positions = {
      "IV start": 0,
      "IV end": 11,
      "ciphertext start": 12,
      "ciphertext end": sealed.length - 17,
      "tag start": sealed.length - 16,
      "tag end": sealed.length - 1,
    };
    for (const [where, position] of Object.entries(positions)) {
      for (const bit of [0x01, 0x80]) {
        const tampered = sealed.slice();
        tampered[position] = (tampered[position] ?? 0) ^ bit;
        await expect(open(key, binding, toBase64Url(tampered)), where).rejects.toBeInstanceOf(DecryptError);
      }
    }
  });

  it.each<[string, Binding]>([
    ["another room", { ...binding, roomId: "other1234567890abcdef" }],
    ["another slot", { ...binding, slot: "client-2" }],
    ["another purpose", { ...binding, purpose: "typing" }],
    ["a room id that moves the separator", { ...binding, roomId: `${ROOM}/client-1`, slot: "" }],
  ])("refuses to open under %s", async (_, wrongBinding) => {
    const { key } = await generateRoomKey();
    const sealed = await seal(key, binding, bytesOf("bound"));
    await expect(open(key, wrongBinding, sealed)).rejects.toBeInstanceOf(DecryptError);
  });

  it("refuses to seal for a room id containing '/', which would make bindings ambiguous", async () => {
    const { key } = await generateRoomKey();
    await expect(seal(key, { ...binding, roomId: "a/b" }, bytesOf("x"))).rejects.toThrow(TypeError);
  });

  it("refuses another room's key", async () => {
    const [right, wrong] = await Promise.all([generateRoomKey(), generateRoomKey()]);
    const sealed = await seal(right.key, binding, bytesOf("secret"));
    await expect(open(wrong.key, binding, sealed)).rejects.toBeInstanceOf(DecryptError);
  });

  it.each([
    ["empty", ""],
    ["not base64url", "a+b/c=d"],
    ["an impossible length", "A".repeat(41)],
    ["shorter than an IV and a tag", toBase64Url(new Uint8Array(SEAL_OVERHEAD_BYTES - 1))],
    ["random bytes", toBase64Url(new Uint8Array(64).fill(7))],
  ])("throws DecryptError for %s", async (_, sealed) => {
    const { key } = await generateRoomKey();
    await expect(open(key, binding, sealed)).rejects.toBeInstanceOf(DecryptError);
  });

  it("names its error", () => {
    const error = new DecryptError();
    expect(error.name).toBe("DecryptError");
    expect(error).toBeInstanceOf(Error);
  });

  describe("binary, for images", () => {
    const imageA: Binding = { roomId: ROOM, purpose: "image", slot: "img_AAAAAAAA" };
    const imageB: Binding = { ...imageA, slot: "img_BBBBBBBB" };
    const image = Uint8Array.from({ length: 5000 }, (_, index) => index % 251);

    it("round-trips bytes with only 28 bytes of overhead", async () => {
      const { key } = await generateRoomKey();
      const sealed = await sealBytes(key, imageA, image);
      expect(sealed).toHaveLength(image.length + SEAL_OVERHEAD_BYTES);
      expect(await openBytes(key, imageA, sealed)).toEqual(image);
      expect(await open(key, imageA, toBase64Url(sealed))).toEqual(image);
    });

    it("will not open an image sealed for id A as id B", async () => {
      const { key } = await generateRoomKey();
      await expect(openBytes(key, imageB, await sealBytes(key, imageA, image))).rejects.toBeInstanceOf(DecryptError);
      await expect(open(key, imageB, await seal(key, imageA, image))).rejects.toBeInstanceOf(DecryptError);
    });

    it("will not open a message as an image", async () => {
      const { key } = await generateRoomKey();
      const asMessage = await sealBytes(key, { ...imageA, purpose: "message" }, image);
      await expect(openBytes(key, imageA, asMessage)).rejects.toBeInstanceOf(DecryptError);
    });
  });
});
