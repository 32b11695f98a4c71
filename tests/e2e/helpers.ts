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

const ROOM_URL = /\/room\/[0-9A-Za-z]{21}$/;

/** From the lobby's "Talk to a stranger" to the search screen, searching. */
export async function talkToStranger(page: Page): Promise<void> {
  await page.goto("/");
  await page.getByRole("button", { name: "Talk to a stranger" }).click();
  await expect(page).toHaveURL(/\/stranger$/);
}

/** Waits until the search screen says it is looking (and has not already been matched). */
export async function expectSearching(page: Page): Promise<void> {
  await expect(page.getByRole("status")).toHaveText("Looking for someone to talk to…");
  await expect(page.getByRole("button", { name: "Cancel" })).toBeVisible();
}

/** Both pages are in the same stranger chat, and each sees the other there. */
export async function expectPaired(one: Page, other: Page): Promise<void> {
  await expect(one).toHaveURL(ROOM_URL);
  await expect(other).toHaveURL(ROOM_URL);
  expect(one.url()).toBe(other.url());
  for (const page of [one, other]) {
    await expect(page.getByTestId("presence")).toHaveText("Chatting with a Stranger · online");
  }
}

/** Two people search, one after the other, and end up in one chat. */
export async function pairStrangers(one: Page, other: Page): Promise<void> {
  await talkToStranger(one);
  await expectSearching(one);
  await talkToStranger(other);
  await expectPaired(one, other);
}
