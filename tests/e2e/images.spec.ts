import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, displayName, joinRoom, typeAndSend } from "./helpers";
import { logImages } from "./image-fixtures";

// What encrypted-images.spec.ts (and the stranger picture test in stranger.spec.ts) leave out:
// the Attach button's file chooser, paste, a "picture" that does not decode, and the viewer's Close.

/** A PNG of the given size drawn by the page's canvas, as bytes for a file chooser. */
async function drawnPng(page: Page, width: number, height: number): Promise<Buffer> {
  const base64 = await page.evaluate(
    ([w, h]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const context = canvas.getContext("2d");
      if (!context) throw new Error("no 2d canvas");
      context.fillStyle = "#f59e0b";
      context.fillRect(0, 0, w, h);
      context.fillStyle = "#1e3a8a";
      context.fillRect(w / 4, h / 4, w / 2, h / 2);
      return canvas.toDataURL("image/png").split(",")[1] ?? "";
    },
    [width, height] as const,
  );
  return Buffer.from(base64, "base64");
}

const naturalSize = (page: Page, index = 0) =>
  logImages(page)
    .nth(index)
    .evaluate((image: HTMLImageElement) => [image.naturalWidth, image.naturalHeight]);

async function privateRoom(people: { join: () => Promise<Page> }): Promise<[Page, Page]> {
  const [alice, bob] = [await people.join(), await people.join()];
  await joinRoom(bob, await createRoomFromLobby(alice), alice);
  return [alice, bob];
}

test.describe("pictures in a private room, more ways in", () => {
  test("Attach image opens the file chooser, and a small picture chosen there arrives at its own size", async ({
    people,
  }) => {
    const [alice, bob] = await privateRoom(people);
    const chooser = alice.waitForEvent("filechooser");
    await alice.getByRole("button", { name: "Attach image" }).click();
    const fileChooser = await chooser;
    expect(fileChooser.isMultiple()).toBe(false);
    await fileChooser.setFiles({ name: "small.png", mimeType: "image/png", buffer: await drawnPng(alice, 800, 600) });

    // The sender shows it from memory, the partner after downloading and opening it.
    for (const page of [alice, bob]) {
      await expect(logImages(page)).toHaveCount(1);
      await expect(logImages(page).first()).toBeVisible();
      await expect(logImages(page).first()).toHaveAttribute("src", /^blob:/);
    }
    await expect.poll(() => naturalSize(bob)).toEqual([800, 600]);
    await expect.poll(() => naturalSize(alice)).toEqual([800, 600]);
    await expect(logImages(bob).first()).toHaveAttribute("alt", `Image from ${await displayName(alice)}`);
    await expect(bob.getByRole("log").getByText("Decrypting image…")).toHaveCount(0);
  });

  test("a picture pasted into the message box is sent, and no text is left in the box", async ({ people }) => {
    const [alice, bob] = await privateRoom(people);
    await bob.getByRole("textbox", { name: "Message" }).focus();
    await bob.evaluate(async () => {
      const canvas = document.createElement("canvas");
      canvas.width = 400;
      canvas.height = 900;
      canvas.getContext("2d")?.fillRect(0, 0, 400, 900);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((made) => resolve(made as Blob), "image/png"));
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], "pasted.png", { type: "image/png" }));
      const box = document.querySelector("textarea#message");
      if (!box) throw new Error("no message box");
      box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
    });

    await expect(logImages(alice)).toHaveCount(1);
    await expect(logImages(alice).first()).toHaveAttribute("alt", `Image from ${await displayName(bob)}`);
    await expect.poll(() => naturalSize(alice)).toEqual([400, 900]);
    await expect(logImages(bob)).toHaveCount(1);
    await expect(bob.getByRole("textbox", { name: "Message" })).toHaveValue("");
  });

  test("a file that says it is a picture but does not decode is refused, and the next good picture clears the error", async ({
    people,
  }) => {
    const [alice, bob] = await privateRoom(people);
    const input = alice.locator("form input[type=file]");
    await input.setInputFiles({
      name: "holiday.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from("these bytes are no JPEG at all"),
    });
    await expect(alice.getByRole("alert")).toHaveText(/not an image/i);
    await expect(logImages(alice)).toHaveCount(0);

    // Nothing went out: the next text is the partner's first message.
    await typeAndSend(alice, "after the broken picture");
    await expect(bob.getByRole("log")).toContainText("after the broken picture");
    await expect(bob.getByRole("log").locator("article")).toHaveCount(1);

    await input.setInputFiles({ name: "good.png", mimeType: "image/png", buffer: await drawnPng(alice, 120, 80) });
    await expect(logImages(bob)).toHaveCount(1);
    await expect(alice.getByRole("alert")).toHaveCount(0);
  });

  test("the enlarged picture closes with its Close button, back on the thumbnail", async ({ people }) => {
    const [alice, bob] = await privateRoom(people);
    await alice
      .locator("form input[type=file]")
      .setInputFiles({ name: "view.png", mimeType: "image/png", buffer: await drawnPng(alice, 1000, 500) });
    const thumbnail = bob.getByRole("log").getByRole("button", { name: "Enlarge image" });
    await expect(thumbnail.locator("img")).toBeVisible();
    await thumbnail.click();
    const viewer = bob.getByRole("dialog", { name: "Image" });
    await expect(viewer).toBeVisible();
    const large = viewer.getByRole("img");
    await expect(large).toHaveAttribute("src", (await thumbnail.locator("img").getAttribute("src")) ?? "");
    await expect.poll(() => large.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(1000);
    await viewer.getByRole("button", { name: "Close" }).click();
    await expect(viewer).toBeHidden();
    await expect(thumbnail).toBeFocused();
  });

  test("two pictures chosen one right after the other arrive in that order, the large one first", async ({
    people,
  }) => {
    const [alice, bob] = await privateRoom(people);
    const input = alice.locator("form input[type=file]");
    const [large, small] = [await drawnPng(alice, 2400, 1800), await drawnPng(alice, 60, 40)];
    await input.setInputFiles({ name: "large.png", mimeType: "image/png", buffer: large });
    await input.setInputFiles({ name: "small.png", mimeType: "image/png", buffer: small });
    await expect(logImages(bob)).toHaveCount(2);
    await expect.poll(() => naturalSize(bob, 0)).toEqual([1280, 960]);
    await expect.poll(() => naturalSize(bob, 1)).toEqual([60, 40]);
  });
});
