import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "./base64url";

describe("base64url", () => {
  it("round-trips any bytes, matching Node's own unpadded base64url", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 100 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64url"));
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it("encodes more bytes than one chunk of String.fromCharCode", () => {
    const bytes = Uint8Array.from({ length: 100_003 }, (_, index) => (index * 7) % 256);
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
  });

  it("knows the RFC 4648 test vectors", () => {
    const vectors: Array<[string, string]> = [
      ["", ""],
      ["f", "Zg"],
      ["fo", "Zm8"],
      ["foo", "Zm9v"],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      expect(toBase64Url(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(fromBase64Url(encoded))).toBe(plain);
    }
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe("-_8");
  });

  const foreign = ["ab+c", "ab/c", "abc=", "Zg==", "ab c", "abc\n", "ab.c", "é"];
  it.each(foreign)("rejects %j: a character outside the alphabet", (text) => {
    expect(() => fromBase64Url(text)).toThrow(TypeError);
  });

  it.each(["A", "AAAAA", "abcdefghi"])("rejects %j: no byte string has that length", (text) => {
    expect(() => fromBase64Url(text)).toThrow(TypeError);
  });

  it("rejects a second spelling of the same bytes (unused trailing bits set)", () => {
    expect(fromBase64Url("Zg")).toEqual(Uint8Array.of(0x66));
    expect(() => fromBase64Url("Zh")).toThrow(TypeError);
    expect(fromBase64Url("Zm8")).toEqual(Uint8Array.of(0x66, 0x6f));
    expect(() => fromBase64Url("Zm9")).toThrow(TypeError);
  });

  it("decodes every accepted string back to the same string", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/), (text) => {
        let bytes: Uint8Array;
        try {
          bytes = fromBase64Url(text);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        expect(toBase64Url(bytes)).toBe(text);
      }),
    );
  });
});
