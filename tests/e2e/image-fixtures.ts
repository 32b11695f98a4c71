import { writeFileSync } from "node:fs";
import type { Page, TestInfo } from "@playwright/test";
import { withGpsExif, type GpsPosition } from "../support/exif-gps";
import { importRoomKey } from "../../app/lib/crypto/room-key";
import { openBytes } from "../../app/lib/crypto/seal";

export const LIGHTHOUSE: GpsPosition = { latitude: 51.50072, longitude: -0.12462 };

/**
 * A 1600×1000 photo as a phone would save it: a JPEG (drawn by the page's canvas) with a GPS
 * position in its EXIF. Written to the test's output folder for the file chooser.
 */
export async function photoWithGps(
  page: Page,
  testInfo: TestInfo,
  name = "photo.jpg",
): Promise<{ path: string; bytes: Uint8Array }> {
  const base64 = await page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 1600;
    canvas.height = 1000;
    const context = canvas.getContext("2d");
    if (!context) throw new Error("no 2d canvas");
    const gradient = context.createLinearGradient(0, 0, 1600, 1000);
    gradient.addColorStop(0, "#10b981");
    gradient.addColorStop(1, "#0ea5e9");
    context.fillStyle = gradient;
    context.fillRect(0, 0, 1600, 1000);
    context.fillStyle = "#fafafa";
    context.font = "120px sans-serif";
    context.fillText("lighthouse", 200, 520);
    return canvas.toDataURL("image/jpeg", 0.9).split(",")[1] ?? "";
  });
  const bytes = withGpsExif(new Uint8Array(Buffer.from(base64, "base64")), LIGHTHOUSE);
  const path = testInfo.outputPath(name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/** The log's pictures (thumbnails), newest last. */
export const logImages = (page: Page) =>
  page.getByRole("log").getByRole("button", { name: "Enlarge image" }).locator("img");

/**
 * Every picture this page downloads, decrypted here in the test with the room key from the
 * link (the page's own blob: URLs cannot be read back: the CSP allows fetches to 'self' only).
 */
export function imageDownloads(page: Page, roomUrl: string): Array<Promise<Uint8Array>> {
  const roomId = new URL(roomUrl).pathname.split("/").pop() ?? "";
  const secret = new URL(roomUrl).hash.slice(1);
  const downloads: Array<Promise<Uint8Array>> = [];
  page.on("response", (response) => {
    const match = /\/api\/rooms\/[^/]+\/images\/([\w-]+)$/.exec(new URL(response.url()).pathname);
    if (!match || response.request().method() !== "GET") return;
    downloads.push(
      (async () => {
        const key = await importRoomKey(secret);
        if (!key) throw new Error("the room URL has no key");
        return openBytes(
          key.key,
          { roomId, purpose: "image", slot: match[1] ?? "" },
          new Uint8Array(await response.body()),
        );
      })(),
    );
  });
  return downloads;
}
