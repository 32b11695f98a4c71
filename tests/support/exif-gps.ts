/**
 * Just enough EXIF for the image tests: a JPEG with a GPS position in it (as a phone camera
 * writes one), and the checks that a received picture carries no such thing.
 */

export interface GpsPosition {
  latitude: number;
  longitude: number;
}

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"
const ASCII = 2;
const LONG = 4;
const RATIONAL = 5;
const GPS_INFO = 0x8825;
const [LATITUDE_REF, LATITUDE, LONGITUDE_REF, LONGITUDE] = [1, 2, 3, 4];

/** Degrees, minutes and seconds as EXIF rationals (seconds in ten-thousandths). */
function dms(value: number): Array<[number, number]> {
  const absolute = Math.abs(value);
  const degrees = Math.floor(absolute);
  const minutes = Math.floor((absolute - degrees) * 60);
  const seconds = Math.round(((absolute - degrees) * 60 - minutes) * 60 * 10_000);
  return [
    [degrees, 1],
    [minutes, 1],
    [seconds, 10_000],
  ];
}

/** The JPEG with an APP1 EXIF segment (IFD0 → GPS IFD with latitude and longitude) after SOI. */
export function withGpsExif(jpeg: Uint8Array, { latitude, longitude }: GpsPosition): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  const tiff = new DataView(new ArrayBuffer(128));
  let at = 0;
  const u16 = (value: number) => (tiff.setUint16(at, value, true), (at += 2));
  const u32 = (value: number) => (tiff.setUint32(at, value, true), (at += 4));
  const entry = (tag: number, type: number, count: number, value: (offset: number) => void) => {
    u16(tag);
    u16(type);
    u32(count);
    value(at);
    at += 4;
  };
  // Header: little-endian, 42, IFD0 at 8.
  u16(0x4949);
  u16(42);
  u32(8);
  // IFD0: one entry pointing at the GPS IFD (8 + 2 + 12 + 4 = 26).
  u16(1);
  entry(GPS_INFO, LONG, 1, (offset) => tiff.setUint32(offset, 26, true));
  u32(0);
  // GPS IFD at 26: four entries, its rationals after it at 80 and 104.
  const ascii = (letter: string) => (offset: number) => tiff.setUint8(offset, letter.charCodeAt(0));
  const pointer = (target: number) => (offset: number) => tiff.setUint32(offset, target, true);
  u16(4);
  entry(LATITUDE_REF, ASCII, 2, ascii(latitude >= 0 ? "N" : "S"));
  entry(LATITUDE, RATIONAL, 3, pointer(80));
  entry(LONGITUDE_REF, ASCII, 2, ascii(longitude >= 0 ? "E" : "W"));
  entry(LONGITUDE, RATIONAL, 3, pointer(104));
  u32(0);
  for (const [numerator, denominator] of [...dms(latitude), ...dms(longitude)]) {
    u32(numerator);
    u32(denominator);
  }
  const body = [...EXIF_HEADER, ...new Uint8Array(tiff.buffer)];
  const length = body.length + 2;
  const segment = [0xff, 0xe1, length >> 8, length & 0xff, ...body];
  return new Uint8Array([0xff, 0xd8, ...segment, ...jpeg.subarray(2)]);
}

/** Where "Exif\0\0" starts in the bytes, or -1. */
function exifAt(bytes: Uint8Array): number {
  outer: for (let index = 0; index + EXIF_HEADER.length <= bytes.length; index += 1) {
    for (let offset = 0; offset < EXIF_HEADER.length; offset += 1)
      if (bytes[index + offset] !== EXIF_HEADER[offset]) continue outer;
    return index;
  }
  return -1;
}

export const containsExif = (bytes: Uint8Array) => exifAt(bytes) >= 0;

/** The GPS position in the bytes' EXIF (little-endian TIFF, as written above), or null. */
export function readGps(bytes: Uint8Array): GpsPosition | null {
  const start = exifAt(bytes);
  if (start < 0) return null;
  const tiff = new DataView(bytes.buffer, bytes.byteOffset + start + EXIF_HEADER.length);
  if (tiff.getUint16(0, true) !== 0x4949) return null;
  const entries = (ifd: number) =>
    Array.from({ length: tiff.getUint16(ifd, true) }, (_, index) => {
      const at = ifd + 2 + index * 12;
      return { tag: tiff.getUint16(at, true), valueAt: at + 8 };
    });
  const gps = entries(tiff.getUint32(4, true)).find((item) => item.tag === GPS_INFO);
  if (!gps) return null;
  const fields = new Map(entries(tiff.getUint32(gps.valueAt, true)).map((item) => [item.tag, item.valueAt]));
  const coordinate = (tag: number, refTag: number, negative: string) => {
    const data = tiff.getUint32(fields.get(tag) ?? 0, true);
    const part = (index: number) => tiff.getUint32(data + index * 8, true) / tiff.getUint32(data + index * 8 + 4, true);
    const value = part(0) + part(1) / 60 + part(2) / 3600;
    return String.fromCharCode(tiff.getUint8(fields.get(refTag) ?? 0)) === negative ? -value : value;
  };
  if (!fields.has(LATITUDE) || !fields.has(LONGITUDE)) return null;
  return { latitude: coordinate(LATITUDE, LATITUDE_REF, "S"), longitude: coordinate(LONGITUDE, LONGITUDE_REF, "W") };
}

/** A WebP file: RIFF container, WEBP form. */
export function isWebp(bytes: Uint8Array): boolean {
  const text = (from: number) => String.fromCharCode(...bytes.subarray(from, from + 4));
  return text(0) === "RIFF" && text(8) === "WEBP";
}
