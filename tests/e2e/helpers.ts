import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { sealMessage } from "../../app/lib/crypto/message-payload";
import { keyCheck } from "../../app/lib/crypto/key-check";
import { generateRoomKey, importRoomKey } from "../../app/lib/crypto/room-key";
import { expect } from "./fixtures";

/** A room's address with its key in the fragment (a private room's link, a stranger chat once agreed). */
export const KEYED_ROOM_URL = /\/room\/[0-9A-Za-z]{21}#[A-Za-z0-9_-]{43}$/;
/** Any room's address; a stranger chat has its key in the fragment once the two agreed one. */
export const ROOM_URL = /\/room\/[0-9A-Za-z]{21}(#[A-Za-z0-9_-]{43})?$/;

/** Creates a room from the lobby, optionally choosing its lifetime, and returns its URL (key included). */
export async function createRoomFromLobby(page: Page, lifetime?: string): Promise<string> {
  await page.goto("/");
  if (lifetime) await page.getByRole("radio", { name: lifetime }).check({ force: true });
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(KEYED_ROOM_URL);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
  return page.url();
}

/**
 * Accepts, with one Enter, the name a room asks for on arrival by a link (prefilled with the name
 * this browser remembers or made up), and returns it.
 */
export async function acceptName(page: Page): Promise<string> {
  const box = page.getByRole("textbox", { name: "Your name in this room" });
  await expect(box).toBeFocused();
  const name = await box.inputValue();
  expect(name, "a prefilled name").not.toBe("");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("textbox", { name: "Message" })).toBeEnabled();
  return name;
}

/** Opens the room for a second person, accepts the name asked for, and waits until both see two seats taken. */
export async function joinRoom(page: Page, url: string, host?: Page): Promise<void> {
  await page.goto(url);
  await acceptName(page);
  await expect(page.getByTestId("participants")).toHaveText("2/2");
  if (host) await expect(host.getByTestId("participants")).toHaveText("2/2");
}

export async function typeAndSend(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.keyboard.press("Enter");
}

/**
 * A room created through the API (for lifetimes the lobby does not offer) and the path that opens
 * it: the key is made here, as the lobby would make it in the browser.
 */
export async function createRoomThroughApi(
  request: { post: (url: string, options: { data: unknown }) => Promise<{ json: () => Promise<unknown> }> },
  ttlSeconds: number,
): Promise<{ roomId: string; path: string }> {
  const { secret } = await generateRoomKey();
  const data = { json: { ttlSeconds, keyCheck: await keyCheck(secret) } };
  const response = await request.post("/api/trpc/room.create", { data });
  const body = (await response.json()) as { result: { data: { json: { roomId: string } } } };
  const roomId = body.result.data.json.roomId;
  return { roomId, path: `/room/${roomId}#${secret}` };
}

/** The room id and key of the room this page shows (its URL must still carry the key). */
export async function roomKeyOf(page: Page) {
  const url = new URL(page.url());
  const roomId = url.pathname.split("/").pop() ?? "";
  const roomKey = await importRoomKey(url.hash.slice(1));
  expect(roomKey, "the room key in the page's fragment").not.toBeNull();
  return { roomId, roomKey: roomKey as NonNullable<typeof roomKey> };
}

/**
 * Sends through the API with this page's cookie, for volume without typing. Sealed here, in the
 * test, with the key from the page's fragment, as a browser in the room would seal it.
 */
export async function sendThroughApi(page: Page, text: string, sender = "bulk-sender"): Promise<void> {
  const { roomId, roomKey } = await roomKeyOf(page);
  const clientId = randomUUID();
  const ciphertext = await sealMessage(roomKey.key, roomId, clientId, { kind: "text", name: sender, text });
  const status = await page.evaluate(
    async (body) =>
      (await fetch("/api/trpc/message.send", { method: "POST", headers: { "content-type": "application/json" }, body }))
        .status,
    JSON.stringify({ json: { roomId, ciphertext, clientId } }),
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

/**
 * From the lobby's "Talk to a stranger" to the search screen. Someone already waiting pairs with
 * this person at once, and the page may leave `/stranger` for the chat within a few milliseconds:
 * too quick for a polling URL assertion, so this listens for the navigation before clicking.
 */
export async function talkToStranger(page: Page): Promise<void> {
  await page.goto("/");
  const searchScreen = page.waitForURL(/\/stranger$/, { waitUntil: "commit" });
  await page.getByRole("button", { name: "Talk to a stranger" }).click();
  await searchScreen;
}

/** Waits until the search screen says it is looking (and has not already been matched). */
export async function expectSearching(page: Page): Promise<void> {
  await expect(page.getByRole("status")).toHaveText("Looking for someone to talk to…");
  await expect(page.getByRole("button", { name: "Cancel" })).toBeVisible();
}

/**
 * Both pages are in the same stranger chat, each sees the other there, and their browsers have
 * agreed the chat's key: the same one (it is in both fragments), so the same safety code.
 */
export async function expectPaired(one: Page, other: Page): Promise<void> {
  // A page that skipped may still show its previous chat's URL for a moment: wait for the same room.
  const roomPath = (page: Page) => {
    const url = new URL(page.url());
    return ROOM_URL.test(page.url()) ? url.pathname : `not in a room: ${url.pathname}`;
  };
  await expect
    .poll(
      () => {
        const [first, second] = [roomPath(one), roomPath(other)];
        return first === second && first.startsWith("/room/") ? "one room" : `${first} and ${second}`;
      },
      { message: "both pages in one room" },
    )
    .toBe("one room");
  for (const page of [one, other]) {
    await expect(page.getByTestId("presence")).toHaveText("Chatting with a Stranger · online");
    await expect(page.getByTestId("safety-code")).toHaveText(/^Safety code \d{3} \d{3}$/);
    await expect(page).toHaveURL(KEYED_ROOM_URL);
  }
  expect(one.url()).toBe(other.url());
  expect(await one.getByTestId("safety-code").textContent()).toBe(await other.getByTestId("safety-code").textContent());
}

/** Two people search, one after the other, and end up in one chat. */
export async function pairStrangers(one: Page, other: Page): Promise<void> {
  await talkToStranger(one);
  await expectSearching(one);
  await talkToStranger(other);
  await expectPaired(one, other);
}

/** Where pictures of the product for the README and for review are written, on every run. */
export const SCREENSHOTS_DIR = "tests/e2e/.artifacts/screenshots";
