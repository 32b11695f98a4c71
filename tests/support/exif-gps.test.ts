import { describe, expect, it } from "vitest";
import { containsExif, isWebp, readGps, withGpsExif } from "./exif-gps";

// SOI, a comment segment, EOI: enough of a JPEG for the segment layout to be checked.
const TINY_JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xfe, 0x00, 0x04, 0x68, 0x69, 0xff, 0xd9]);

describe("the EXIF fixture", () => {
  it("writes a GPS position that reads back, in an APP1 segment right after SOI", () => {
    const tagged = withGpsExif(TINY_JPEG, { latitude: 51.50072, longitude: -0.12462 });
    expect([...tagged.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe1]);
    const length = (tagged[4]! << 8) | tagged[5]!;
    // The segment ends exactly where the original's next marker starts.
    expect([...tagged.subarray(4 + length, 4 + length + 2)]).toEqual([0xff, 0xfe]);
    expect(tagged.byteLength).toBe(TINY_JPEG.byteLength + 2 + length);
    const position = readGps(tagged);
    expect(position?.latitude).toBeCloseTo(51.50072, 4);
    expect(position?.longitude).toBeCloseTo(-0.12462, 4);
    expect(containsExif(tagged)).toBe(true);
  });

  it("finds nothing in bytes without EXIF, and tells WebP from JPEG", () => {
    expect(readGps(TINY_JPEG)).toBeNull();
    expect(containsExif(TINY_JPEG)).toBe(false);
    expect(isWebp(TINY_JPEG)).toBe(false);
    expect(isWebp(new TextEncoder().encode("RIFF\x10\0\0\0WEBPVP8 "))).toBe(true);
  });
});
