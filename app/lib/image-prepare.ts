import { IMAGE_MAX_BYTES } from "~/shared/limits";

/** An image ready to seal: re-encoded, so nothing of the original file (EXIF, GPS, XMP) is left. */
export interface PreparedImage {
  blob: Blob;
  /** WebP where the browser can encode it; JPEG otherwise (Safari). Neither keeps metadata. */
  type: "image/webp" | "image/jpeg";
  width: number;
  height: number;
  bytes: number;
}

export const IMAGE_MAX_SIDE = 1280;
/** Larger files are refused before decoding: a phone photo is well under this. */
export const IMAGE_INPUT_MAX_BYTES = 40 * 1024 * 1024;

/** Why an image cannot be sent; the message is for the person who chose it. */
export class ImagePrepareError extends Error {
  override name = "ImagePrepareError";
}

/** The largest size within `max`×`max` with the same aspect ratio; never larger than the original. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The encodings to try, in order, until one fits under the limit: lower quality first (cheap and
 * barely visible), then smaller sizes. Every one is smaller than the one before it.
 */
export function encodingAttempts(
  width: number,
  height: number,
): Array<{ width: number; height: number; quality: number }> {
  const attempts: Array<{ width: number; height: number; quality: number }> = [];
  let size = fitWithin(width, height, IMAGE_MAX_SIDE);
  for (let round = 0; round < 4; round += 1) {
    for (const quality of [0.85, 0.7, 0.55, 0.4]) attempts.push({ ...size, quality });
    size = { width: Math.max(1, Math.round(size.width * 0.75)), height: Math.max(1, Math.round(size.height * 0.75)) };
  }
  return attempts;
}

/**
 * Decodes the file (honouring its EXIF orientation), scales it to fit 1280×1280 and re-encodes it
 * to WebP (JPEG where the browser cannot write WebP) through a canvas, which keeps pixels only: the original's metadata never leaves the
 * browser. Browser-only.
 */
export async function prepareImage(file: Blob): Promise<PreparedImage> {
  if (file.type && !file.type.startsWith("image/")) throw notAnImage();
  if (file.size > IMAGE_INPUT_MAX_BYTES) {
    throw new ImagePrepareError("This image is too large to send (at most 40 MB before it is shrunk)");
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    throw notAnImage();
  }
  try {
    let type: PreparedImage["type"] = "image/webp";
    for (const attempt of encodingAttempts(bitmap.width, bitmap.height)) {
      let blob = await encode(bitmap, attempt.width, attempt.height, attempt.quality, type);
      // Safari's canvas cannot write WebP and quietly hands back a PNG: JPEG it is, from here on.
      if (blob.type !== type && type === "image/webp") {
        type = "image/jpeg";
        blob = await encode(bitmap, attempt.width, attempt.height, attempt.quality, type);
      }
      if (blob.type !== type) throw new ImagePrepareError("This browser cannot encode images for sending");
      if (blob.size < IMAGE_MAX_BYTES)
        return { blob, type, width: attempt.width, height: attempt.height, bytes: blob.size };
    }
  } finally {
    bitmap.close();
  }
  throw new ImagePrepareError("This image could not be made small enough to send (2 MB)");
}

const notAnImage = () => new ImagePrepareError("This file is not an image Ephemera can read");

async function encode(
  bitmap: ImageBitmap,
  width: number,
  height: number,
  quality: number,
  type: PreparedImage["type"],
): Promise<Blob> {
  if (typeof OffscreenCanvas !== "undefined") {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext("2d")?.drawImage(bitmap, 0, 0, width, height);
    return canvas.convertToBlob({ type, quality });
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d")?.drawImage(bitmap, 0, 0, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(notAnImage())), type, quality),
  );
}
