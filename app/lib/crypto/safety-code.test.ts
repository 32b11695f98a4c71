import { hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { agreeRoomKey, createKeyAgreement } from "./key-agreement";
import { generateRoomKey } from "./room-key";
import { safetyCode } from "./safety-code";

const ROOM = "room1234567890abcdefg";

describe("safety codes", () => {
  it("is six digits, grouped in threes, and the same for the same key and room", async () => {
    const { secret } = await generateRoomKey();
    const code = await safetyCode(secret, ROOM);
    expect(code).toMatch(/^\d{3} \d{3}$/);
    expect(await safetyCode(secret, ROOM)).toBe(code);
  });

  it("is fixed for a given key and room (HKDF-SHA-256, first 32 bits, mod a million)", async () => {
    // The all-zero key ("A" × 43), computed independently with Node's own HKDF.
    const bits = Buffer.from(hkdfSync("sha256", new Uint8Array(32), "room", "ephemera/1/safety-code", 4));
    const digits = String(bits.readUInt32BE(0) % 1_000_000).padStart(6, "0");
    expect(await safetyCode("A".repeat(43), "room")).toBe(`${digits.slice(0, 3)} ${digits.slice(3)}`);
  });

  it("differs between rooms and between keys", async () => {
    const [one, two] = await Promise.all([generateRoomKey(), generateRoomKey()]);
    const code = await safetyCode(one.secret, ROOM);
    expect(await safetyCode(one.secret, "other1234567890abcdef")).not.toBe(code);
    expect(await safetyCode(two.secret, ROOM)).not.toBe(code);
  });

  it("covers all six digits over many keys, leading zeros included", async () => {
    const codes = await Promise.all(
      Array.from({ length: 200 }, async () => safetyCode((await generateRoomKey()).secret, ROOM)),
    );
    expect(new Set(codes).size).toBeGreaterThan(195);
    expect(codes.every((code) => /^\d{3} \d{3}$/.test(code))).toBe(true);
    for (const position of [0, 1, 2, 4, 5, 6])
      expect(new Set(codes.map((code) => code[position])).size).toBeGreaterThan(5);
  });

  it("is the same on both sides of a key agreement", async () => {
    const [alice, bob] = await Promise.all([createKeyAgreement(), createKeyAgreement()]);
    const aliceKey = await agreeRoomKey(alice.agreement, bob.publicKeys, ROOM);
    const bobKey = await agreeRoomKey(bob.agreement, alice.publicKeys, ROOM);
    expect(await safetyCode(aliceKey.secret, ROOM)).toBe(await safetyCode(bobKey.secret, ROOM));
  });

  it("refuses something that is not a room key", async () => {
    await expect(safetyCode("not a key", ROOM)).rejects.toThrow(TypeError);
  });
});
