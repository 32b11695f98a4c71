import { describe, expect, it } from "vitest";
import { newSalt, SALT_BYTES, saltForUnknownUsername } from "./salt-for-unknown";

const SECRET = "a-server-secret-of-at-least-32-characters";

describe("the salt for an unknown username", () => {
  it("is the same every time for one name and secret", () => {
    expect(saltForUnknownUsername(SECRET, "nobody")).toEqual(saltForUnknownUsername(SECRET, "nobody"));
  });

  it("differs between names and between secrets", () => {
    const salt = Buffer.from(saltForUnknownUsername(SECRET, "nobody")).toString("hex");
    expect(Buffer.from(saltForUnknownUsername(SECRET, "nobody2")).toString("hex")).not.toBe(salt);
    expect(Buffer.from(saltForUnknownUsername(`${SECRET}!`, "nobody")).toString("hex")).not.toBe(salt);
  });

  it("has a real salt's length and type, so its shape gives nothing away", () => {
    const unknown = saltForUnknownUsername(SECRET, "nobody");
    const real = newSalt();
    expect(unknown).toBeInstanceOf(Uint8Array);
    expect(real).toBeInstanceOf(Uint8Array);
    expect(unknown.constructor).toBe(real.constructor);
    expect(unknown).toHaveLength(SALT_BYTES);
    expect(real).toHaveLength(SALT_BYTES);
    expect(Buffer.from(unknown).toString("base64url")).toHaveLength(Buffer.from(real).toString("base64url").length);
  });

  it("looks random: its bits are spread evenly over many names", () => {
    let ones = 0;
    const names = 2000;
    for (let index = 0; index < names; index += 1) {
      for (const byte of saltForUnknownUsername(SECRET, `user_${index}`)) {
        for (let bit = 0; bit < 8; bit += 1) ones += (byte >> bit) & 1;
      }
    }
    const share = ones / (names * SALT_BYTES * 8);
    expect(share).toBeGreaterThan(0.49);
    expect(share).toBeLessThan(0.51);
  });
});
