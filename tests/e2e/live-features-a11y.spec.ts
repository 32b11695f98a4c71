import { devices } from "@playwright/test";
import { seriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, typeAndSend } from "./helpers";

test.describe("presence, typing, receipts and Leave", () => {
  // A full axe analysis takes seconds on a busy machine.
  test.slow();

  test("pass axe: notices, ticks, the typing line, a queued message and the leave dialog", async ({ people }) => {
    people.allowConsoleError(/ERR_INTERNET_DISCONNECTED/);
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    await typeAndSend(alice, "hello");
    await typeAndSend(bob, "hi there");
    await expect(alice.getByRole("log").locator('article[data-receipt="seen"]')).toHaveCount(1);
    await expect(alice.getByTestId("notice")).toHaveCount(1);
    await bob.getByRole("textbox", { name: "Message" }).fill("typing away");
    await expect(alice.getByTestId("typing")).toContainText("is typing…");
    await alice.context().setOffline(true);
    await typeAndSend(alice, "into the void");
    await expect(alice.getByRole("log").locator('article[data-status="queued"]')).toHaveCount(1);
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.context().setOffline(false);
    await expect(alice.getByRole("log").locator('article[data-status="queued"]')).toHaveCount(0, { timeout: 15_000 });

    await alice.getByRole("button", { name: "Leave room" }).click();
    await expect(alice.getByRole("dialog")).toBeVisible();
    expect(await seriousViolations(alice)).toEqual([]);
    await alice.keyboard.press("Escape");
    await expect(alice.getByRole("button", { name: "Leave room" })).toBeFocused();
  });

  test("the lobby's notice after leaving passes axe", async ({ people }) => {
    const page = await people.join();
    await page.goto("/?left=true");
    await expect(page.getByRole("alert")).toContainText("You left the room.");
    expect(await seriousViolations(page)).toEqual([]);
  });
});

test("on a phone the header keeps every control on screen, presence included", async ({ people }) => {
  const phone = devices["Pixel 7"];
  const [alice, bob] = [await people.join(phone), await people.join(phone)];
  await joinRoom(bob, await createRoomFromLobby(alice), alice);
  await expect(alice.getByTestId("presence")).toContainText("online");
  for (const control of [
    alice.getByRole("button", { name: "Copy link" }),
    // Leave and Hide link are behind it (room-chrome.spec.ts opens it).
    alice.getByRole("button", { name: "More actions" }),
    alice.getByRole("button", { name: "Destroy now" }),
    alice.getByTestId("presence"),
    alice.getByTestId("participants"),
  ]) {
    await expect(control).toBeInViewport();
  }
  const overflow = await alice.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // Every header control sits on one row: none wrapped below the others.
  const tops = await alice
    .locator("header")
    .getByRole("button")
    .evaluateAll((buttons) => buttons.map((button) => Math.round(button.getBoundingClientRect().top)));
  expect(new Set(tops).size).toBe(1);
});
