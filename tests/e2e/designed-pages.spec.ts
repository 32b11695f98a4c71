import type { Page } from "@playwright/test";
import { seriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, SCREENSHOTS_DIR as SHOTS } from "./helpers";

/** The lobby's link back works and lands on the lobby itself. */
async function followLinkBack(page: Page) {
  await page.getByRole("link", { name: "Back to the lobby" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("button", { name: "Create room" })).toBeVisible();
}

test.describe("addresses that lead nowhere", () => {
  // The browser reports the document's own status as a failed load: here that status is the point.
  test.beforeEach(({ people }) => people.allowConsoleError(/status of 40[04] \((Not Found|Bad Request)\)/));

  for (const path of ["/definitely/not/here", "/room/"]) {
    test(`${path} answers 404 with a page in the app's look and a way back`, async ({ people }) => {
      const page = await people.join();
      const response = await page.goto(path);
      expect(response?.status()).toBe(404);
      await expect(page).toHaveTitle("Ephemera · nothing here");
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Nothing here");
      await expect(page.getByText("This address leads nowhere.")).toBeVisible();
      await expect(page.getByText(/No route matches/)).toHaveCount(0);
      // The app's look: its stylesheet applied (near-black page, the mono face).
      const body = await page.locator("body").evaluate((node) => getComputedStyle(node));
      expect(body.backgroundColor).not.toBe("rgba(0, 0, 0, 0)");
      expect(body.fontFamily).toMatch(/JetBrains Mono/);
      await followLinkBack(page);
    });
  }

  test("the 404 page has no serious accessibility problems, and its picture is taken", async ({ people }) => {
    test.slow();
    const page = await people.join({ colorScheme: "dark" });
    expect((await page.goto("/definitely/not/here"))?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/not-found-desktop.png` });
  });

  test("a room address that does not decode answers 400 with the damaged-link page, without scripts", async ({
    people,
  }) => {
    const page = await people.join();
    const response = await page.goto("/room/%E0%A4%A");
    expect(response?.status()).toBe(400);
    expect(response?.headers()["content-type"]).toMatch(/^text\/html/);
    await expect(page).toHaveTitle("Ephemera · damaged link");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("This link is damaged");
    // No router could match the garbled address the browser still shows: nothing is hydrated.
    expect(await page.locator("script").count()).toBe(0);
    expect((await page.locator("body").evaluate((node) => getComputedStyle(node))).fontFamily).toMatch(
      /JetBrains Mono/,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await followLinkBack(page);
  });
});

test("the image error banner can be dismissed, and goes away by itself", async ({ people }) => {
  const alice = await people.join();
  await createRoomFromLobby(alice);
  const input = alice.locator("form input[type=file]");
  const notAPicture = { name: "holiday.jpg", mimeType: "image/jpeg", buffer: Buffer.from("these bytes are no JPEG") };
  const banner = alice.getByRole("alert");

  await input.setInputFiles(notAPicture);
  await expect(banner).toHaveText(/not an image/i);
  await alice.getByRole("button", { name: "Dismiss the image error" }).click();
  await expect(banner).toHaveCount(0);

  await input.setInputFiles(notAPicture);
  await expect(banner).toHaveText(/not an image/i);
  const shownAt = Date.now();
  // It stays long enough to read (several seconds), then leaves on its own, untouched.
  await expect(banner).toBeVisible({ timeout: 4_000 });
  await expect(banner).toHaveCount(0, { timeout: 15_000 });
  expect(Date.now() - shownAt).toBeGreaterThan(5_000);
});

test("the lobby remembers the last chosen lifetime across a reload", async ({ people }) => {
  const page = await people.join();
  await page.goto("/");
  // Hydrated (the name is filled in after mount): a choice made before would reach no handler.
  await expect(page.getByRole("textbox", { name: "Your name" })).not.toHaveValue("");
  await expect(page.getByRole("radio", { name: "10 minutes" })).toBeChecked();
  await page.getByRole("radio", { name: "1 hour" }).check({ force: true });
  await page.reload();
  await expect(page.getByRole("radio", { name: "1 hour" })).toBeChecked();
  await expect(page.getByRole("radio", { name: "10 minutes" })).not.toBeChecked();
  // And it is the lifetime the next room gets.
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page.getByRole("timer")).toHaveText(/^(1:00:00|0?59:\d\d)$/);
});
