import type { Page } from "@playwright/test";
import { seriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, KEYED_ROOM_URL, typeAndSend } from "./helpers";

test.describe("axe finds no serious or critical problems", () => {
  // A full axe analysis takes seconds on a busy machine.
  test.slow();

  test("in the lobby, with and without a notice", async ({ people }) => {
    const page = await people.join();
    await page.goto("/");
    await expect(page.getByRole("textbox", { name: "Your name" })).not.toHaveValue("");
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto("/?error=room-full");
    await expect(page.getByRole("alert")).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test("in a live room and its destroy dialog", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    await typeAndSend(alice, "hello");
    await typeAndSend(bob, "hi there");
    await expect(alice.getByRole("log").locator("article")).toHaveCount(2);
    expect(await seriousViolations(alice)).toEqual([]);

    await alice.getByRole("button", { name: "Destroy now" }).click();
    await expect(alice.getByRole("dialog")).toBeVisible();
    expect(await seriousViolations(alice)).toEqual([]);
  });
});

/** Presses Tab until `name` has focus; fails if it is not reachable within `limit` presses. */
async function tabTo(page: Page, role: "button" | "textbox", name: string, limit = 15) {
  const target = page.getByRole(role, { name, exact: true });
  for (let presses = 0; presses < limit; presses += 1) {
    if (await target.evaluate((node) => node === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target, `${name} is reachable with Tab`).toBeFocused();
}

test("keyboard only: create a room, send a message, destroy it", async ({ people }) => {
  const [alice, bob] = [await people.join(), await people.join()];
  await alice.goto("/");
  await expect(alice.getByRole("textbox", { name: "Your name" })).not.toHaveValue("");

  // Choose "1 hour" with the arrow keys inside the lifetime group, then create.
  await tabTo(alice, "button", "Pick a new random name");
  await alice.keyboard.press("Tab");
  await expect(alice.getByRole("radio", { name: "10 minutes" })).toBeFocused();
  await alice.keyboard.press("ArrowRight");
  await expect(alice.getByRole("radio", { name: "1 hour" })).toBeChecked();
  await tabTo(alice, "button", "Create room");
  await alice.keyboard.press("Enter");
  await expect(alice).toHaveURL(KEYED_ROOM_URL);
  await expect(alice.getByRole("timer")).toHaveText(/^(1:00:00|59:\d\d)$/);
  await joinRoom(bob, alice.url(), alice);

  // The message box has focus on arrival.
  await expect(alice.getByRole("textbox", { name: "Message" })).toBeFocused();
  await alice.keyboard.type("typed without a mouse");
  await alice.keyboard.press("Enter");
  await expect(bob.getByRole("log")).toContainText("typed without a mouse");

  await tabTo(alice, "button", "Destroy now");
  await alice.keyboard.press("Enter");
  await expect(alice.getByRole("dialog")).toBeVisible();
  await tabTo(alice, "button", "Destroy room");
  await alice.keyboard.press("Enter");
  await expect(alice).toHaveURL(/\/\?destroyed=true$/);
  await expect(bob).toHaveURL(/\/\?destroyed=true$/);
});

test("Escape closes the destroy dialog without destroying", async ({ people }) => {
  const page = await people.join();
  await createRoomFromLobby(page);
  await page.getByRole("button", { name: "Destroy now" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(page).toHaveURL(/\/room\//);
  await expect(page.getByRole("button", { name: "Destroy now" })).toBeFocused();
});
