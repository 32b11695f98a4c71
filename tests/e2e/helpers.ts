import type { Page } from "@playwright/test";
import { expect } from "./fixtures";

/** Creates a room from the lobby, optionally choosing its lifetime, and returns its URL. */
export async function createRoomFromLobby(page: Page, lifetime?: string): Promise<string> {
  await page.goto("/");
  if (lifetime) await page.getByRole("radio", { name: lifetime }).check({ force: true });
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(/\/room\/[0-9A-Za-z]{21}$/);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
  return page.url();
}

/** Opens the room for a second person and waits until both see two seats taken. */
export async function joinRoom(page: Page, url: string, host?: Page): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId("participants")).toHaveText("2/2");
  if (host) await expect(host.getByTestId("participants")).toHaveText("2/2");
}

export async function typeAndSend(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.keyboard.press("Enter");
}

/** Sends through the API with this page's cookie, for volume without typing. */
export async function sendThroughApi(page: Page, text: string, sender = "bulk-sender"): Promise<void> {
  const roomId = new URL(page.url()).pathname.split("/").pop();
  const status = await page.evaluate(
    async (body) => (await fetch("/api/trpc/message.send", { method: "POST", headers: { "content-type": "application/json" }, body })).status,
    JSON.stringify({ json: { roomId, text, sender } }),
  );
  expect(status).toBe(200);
}

/** The display name this person's browser chose (the lobby keeps it in localStorage). */
export async function displayName(page: Page): Promise<string> {
  const name = await page.evaluate(() => window.localStorage.getItem("ephemera:name"));
  expect(name, "a display name in localStorage").toBeTruthy();
  return name ?? "";
}

/**
 * Pretends the tab is in the background (or back in front), as far as the page can tell:
 * `document.visibilityState` and a `visibilitychange` event. Headless pages are always visible.
 */
export async function setVisibility(page: Page, state: "visible" | "hidden"): Promise<void> {
  await page.evaluate((visibility) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => visibility });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => visibility === "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);
}

/** Makes every page this page loads from now on start hidden, until `setVisibility` says otherwise. */
export async function startHidden(page: Page): Promise<void> {
  await page.addInitScript(() => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
  });
}

/** The texts of the log's messages, oldest first. */
export function messageTexts(page: Page) {
  return page.getByRole("log").locator("article > p:nth-child(2)");
}
