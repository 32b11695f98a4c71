import { seriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { containsExif, isWebp, readGps } from "../support/exif-gps";
import { createRoomFromLobby, joinRoom, typeAndSend } from "./helpers";
import { imageDownloads, logImages, photoWithGps } from "./image-fixtures";

test.describe("pictures in a private room", () => {
  test("arrive decrypted, as WebP within 1280×1280 and without the photo's GPS; the server only ever gets ciphertext", async ({
    people,
  }, testInfo) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    await joinRoom(bob, url, alice);
    const downloads = imageDownloads(bob, url);
    const uploads: Buffer[] = [];
    alice.on("request", (request) => {
      if (request.method() === "PUT" && /\/api\/rooms\/[^/]+\/images\//.test(request.url()))
        uploads.push(request.postDataBuffer() ?? Buffer.alloc(0));
    });
    const photo = await photoWithGps(alice, testInfo);
    expect(readGps(photo.bytes)?.latitude).toBeCloseTo(51.50072, 4);

    await alice.locator("form input[type=file]").setInputFiles(photo.path);
    for (const page of [alice, bob]) await expect(logImages(page)).toHaveCount(1);
    const name = (await alice.evaluate(() => window.localStorage.getItem("ephemera:name"))) ?? "";
    await expect(logImages(bob).first()).toHaveAttribute("alt", `Image from ${name}`);

    // Bob's browser downloaded it once, and what it opened is what the page shows.
    await expect.poll(() => downloads.length).toBe(1);
    const received = await downloads[0]!;
    expect(isWebp(received)).toBe(true);
    expect(containsExif(received)).toBe(false);
    expect(readGps(received)).toBeNull();
    await expect
      .poll(() =>
        logImages(bob)
          .first()
          .evaluate((image: HTMLImageElement) => [image.naturalWidth, image.naturalHeight]),
      )
      .toEqual([1280, 800]);

    // What left Alice's browser was neither the photo nor a picture at all.
    expect(uploads).toHaveLength(1);
    const [upload] = uploads;
    expect(upload!.byteLength).toBeGreaterThan(1000);
    expect(upload!.includes(Buffer.from("Exif"))).toBe(false);
    expect([...upload!.subarray(0, 2)]).not.toEqual([0xff, 0xd8]);
    expect(upload!.subarray(0, 4).toString("latin1")).not.toBe("RIFF");
  });

  test("open large on click and close with Escape, back on the thumbnail; pass axe", async ({ people }, testInfo) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    await joinRoom(bob, url, alice);
    await alice.locator("form input[type=file]").setInputFiles((await photoWithGps(alice, testInfo)).path);
    const thumbnail = bob.getByRole("log").getByRole("button", { name: "Enlarge image" });
    await expect(thumbnail.locator("img")).toBeVisible();
    await thumbnail.click();
    const viewer = bob.getByRole("dialog", { name: "Image" });
    await expect(viewer.locator("img")).toBeVisible();
    expect(await seriousViolations(bob)).toEqual([]);
    await bob.keyboard.press("Escape");
    await expect(viewer).toBeHidden();
    await expect(thumbnail).toBeFocused();
    expect(await seriousViolations(bob)).toEqual([]);
  });

  test("a picture dropped on the composer is sent; a file that is not a picture is refused and sends nothing", async ({
    people,
  }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    await joinRoom(bob, url, alice);
    await bob.evaluate(async () => {
      const canvas = document.createElement("canvas");
      canvas.width = 300;
      canvas.height = 200;
      canvas.getContext("2d")?.fillRect(0, 0, 300, 200);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((made) => resolve(made as Blob), "image/png"));
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], "dropped.png", { type: "image/png" }));
      const composer = document.querySelector("form:has(#message)");
      if (!composer) throw new Error("no composer");
      for (const type of ["dragenter", "dragover", "drop"]) {
        composer.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    });
    await expect(logImages(alice)).toHaveCount(1);
    expect(
      await logImages(alice)
        .first()
        .evaluate((image: HTMLImageElement) => image.naturalWidth),
    ).toBe(300);

    // A dropped file that is not a picture is refused too, and no drop anywhere replaces the page.
    const kept = await alice.evaluate(() => {
      const drop = (target: Element) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File(["plain words"], "notes.txt", { type: "text/plain" }));
        const event = new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true });
        target.dispatchEvent(event);
        return event.defaultPrevented;
      };
      return [
        drop(document.querySelector("form:has(#message)") as Element),
        drop(document.querySelector("[role=log]") as Element),
      ];
    });
    expect(kept).toEqual([true, true]);
    await expect(alice.getByRole("alert")).toHaveText("This file is not an image Ephemera can read");

    await alice
      .locator("form input[type=file]")
      .setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a picture") });
    await expect(alice.getByRole("alert")).toHaveText("This file is not an image Ephemera can read");
    await typeAndSend(alice, "after the refused file");
    await expect(bob.getByRole("log")).toContainText("after the refused file");
    await expect(bob.getByRole("log").locator("article")).toHaveCount(2);
  });

  test("from a browser whose canvas cannot write WebP (Safari), a picture goes as JPEG, still without metadata", async ({
    people,
  }, testInfo) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await alice.addInitScript(() => {
      // Safari's answer to a WebP request: a PNG, without complaint.
      const convert = OffscreenCanvas.prototype.convertToBlob;
      OffscreenCanvas.prototype.convertToBlob = function (options) {
        return convert.call(this, options?.type === "image/webp" ? { ...options, type: "image/png" } : options);
      };
    });
    const url = await createRoomFromLobby(alice);
    await joinRoom(bob, url, alice);
    const downloads = imageDownloads(bob, url);
    await alice.locator("form input[type=file]").setInputFiles((await photoWithGps(alice, testInfo)).path);
    await expect(logImages(bob)).toHaveCount(1);
    await expect.poll(() => downloads.length).toBe(1);
    const received = await downloads[0]!;
    expect([...received.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(containsExif(received)).toBe(false);
    expect(readGps(received)).toBeNull();
    await expect
      .poll(() =>
        logImages(bob)
          .first()
          .evaluate((image: HTMLImageElement) => image.naturalWidth),
      )
      .toBe(1280);
  });
});
