import { devices, type APIRequestContext, type Page } from "@playwright/test";
import { seriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, pairStrangers, typeAndSend } from "./helpers";

// The stranger test shares the server's queue with stranger.spec.ts: one test at a time.
test.describe.configure({ mode: "serial" });

const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = devices["Pixel 5"];
/** The smallest target a finger can press reliably (WCAG 2.5.5, Apple's and Google's guides). */
const TOUCH = 44;

/** The header is one row: no taller than a row of 36 px controls with a two-line title beside them. */
async function expectOneRowHeader(page: Page) {
  const header = await page.locator("header").boundingBox();
  expect(header, "the header is on screen").not.toBeNull();
  expect(header!.height).toBeLessThanOrEqual(64);
  // Title, countdown, seats or safety code and every control share that row: each one's middle
  // lies within the span of every other's box, so none sits on a line of its own.
  const parts = [
    page.getByRole("heading", { name: "> ephemera" }),
    page.getByRole("timer"),
    ...(await page.locator("header").getByRole("button").all()),
  ];
  const boxes = [];
  for (const part of parts) {
    if (!(await part.isVisible())) continue;
    const box = await part.boundingBox();
    expect(box).not.toBeNull();
    boxes.push(box!);
  }
  expect(boxes.length).toBeGreaterThan(3);
  const middles = boxes.map((box) => box.y + box.height / 2);
  const spread = Math.max(...middles) - Math.min(...middles);
  expect(spread, "the header's parts are on one line").toBeLessThan(12);
}

/** Every button, link and field the page shows now, with its size. */
async function visibleControls(page: Page) {
  const controls = await page
    .locator("button:visible, a:visible, input:visible, textarea:visible, select:visible")
    .all();
  const sizes = [];
  for (const control of controls) {
    const box = await control.boundingBox();
    if (!box) continue;
    const name = (await control.getAttribute("aria-label")) ?? (await control.innerText()).trim();
    sizes.push({ name: name || (await control.evaluate((node) => node.outerHTML.slice(0, 80))), box });
  }
  return sizes;
}

async function expectTouchSized(page: Page, atLeast: number) {
  const controls = await visibleControls(page);
  expect(controls.length).toBeGreaterThanOrEqual(atLeast);
  const small = controls
    .filter(({ box }) => box.width < TOUCH - 0.5 || box.height < TOUCH - 0.5)
    .map(({ name, box }) => `${name}: ${Math.round(box.width)}×${Math.round(box.height)}`);
  expect(small, "controls smaller than 44×44 px").toEqual([]);
}

async function waitingInQueue(request: APIRequestContext): Promise<number> {
  const response = await request.get("/api/trpc/match.stats");
  const body = (await response.json()) as { result: { data: { json: { waiting: number } } } };
  return body.result.data.json.waiting;
}

test("at 1280 px a private room's header is one row, with every action in sight", async ({ people }) => {
  const [alice, bob] = [await people.join(DESKTOP), await people.join(DESKTOP)];
  const url = await createRoomFromLobby(alice);
  await joinRoom(bob, url, alice);
  await typeAndSend(alice, "hello from a wide screen");
  await expect(bob.getByRole("log")).toContainText("hello from a wide screen");

  for (const page of [alice, bob]) {
    await expectOneRowHeader(page);
    for (const name of ["Copy link", "Hide link", "Leave room", "Destroy now"]) {
      await expect(page.locator("header").getByRole("button", { name })).toBeVisible();
    }
    await expect(page.getByRole("button", { name: "More actions" })).toBeHidden();
    // A keyboard and a mouse: the composer mentions Shift+Enter.
    await expect(page.locator("#composer-hint")).toContainText("Shift+Enter for a new line");
    // A long name is cut short, never whether the partner is here.
    const state = page.getByTestId("presence").getByText("· online");
    await expect(state).toBeVisible();
    expect(await state.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  }
});

test("at 1280 px a stranger chat's header is one row; on a phone its controls are finger-sized", async ({
  people,
  request,
}) => {
  await expect.poll(() => waitingInQueue(request), { message: "nobody waiting", timeout: 6_000 }).toBe(0);
  const [alice, bob] = [await people.join(DESKTOP), await people.join(PHONE)];
  await pairStrangers(alice, bob);
  await expectOneRowHeader(alice);
  // Skip, End chat, Report, Attach, Send, the message box.
  await expectTouchSized(bob, 6);
  await bob.getByRole("button", { name: "End chat" }).tap();
  await expect(alice.getByRole("button", { name: "New chat" })).toBeVisible();
});

test("on a phone every control is 44×44 px and Hide link and Leave are behind More actions", async ({ people }) => {
  const [alice, bob] = [await people.join(PHONE), await people.join(PHONE)];
  const url = await createRoomFromLobby(alice);
  await joinRoom(bob, url, alice);
  await typeAndSend(alice, "hello from a phone");
  await expect(bob.getByRole("log")).toContainText("hello from a phone");

  // Copy link, Destroy now, More actions, Attach, Send, the message box.
  await expectTouchSized(alice, 6);
  for (const name of ["Copy link", "Destroy now"]) await expect(alice.getByRole("button", { name })).toBeVisible();
  for (const name of ["Hide link", "Leave room"]) await expect(alice.getByRole("button", { name })).toBeHidden();
  // No physical keyboard: no Shift+Enter.
  await expect(alice.locator("#composer-hint")).not.toContainText("Shift+Enter");
  await expect(alice.locator("#composer-hint")).toContainText("as ");

  const more = alice.getByRole("button", { name: "More actions" });
  await expect(more).toHaveAttribute("aria-expanded", "false");
  await more.tap();
  await expect(more).toHaveAttribute("aria-expanded", "true");
  const hideLink = alice.getByRole("button", { name: "Hide link" });
  await expect(hideLink).toBeFocused();
  await expect(alice.getByRole("button", { name: "Leave room" })).toBeVisible();
  await expectTouchSized(alice, 8);
  expect(await seriousViolations(alice)).toEqual([]);

  // Hide link is a toggle: pressed, the key leaves the address bar; pressed again, it is back.
  await expect(hideLink).toHaveAttribute("aria-pressed", "false");
  await hideLink.tap();
  await expect(hideLink).toHaveAttribute("aria-pressed", "true");
  await expect.poll(() => new URL(alice.url()).hash).toBe("");
  await hideLink.tap();
  await expect(hideLink).toHaveAttribute("aria-pressed", "false");
  await expect.poll(() => alice.url()).toBe(url);

  // Escape closes the menu and gives the focus back to its button.
  await alice.keyboard.press("Escape");
  await expect(more).toHaveAttribute("aria-expanded", "false");
  await expect(more).toBeFocused();
  await expect(hideLink).toBeHidden();

  // A tap elsewhere closes it too.
  await more.tap();
  await expect(hideLink).toBeVisible();
  await alice.getByRole("log").tap();
  await expect(more).toHaveAttribute("aria-expanded", "false");

  // Leave from the menu opens its dialog; Cancel returns without leaving.
  await more.tap();
  await alice.getByRole("button", { name: "Leave room" }).tap();
  const dialog = alice.getByRole("dialog", { name: "Leave this room?" });
  await expect(dialog).toBeVisible();
  await expectTouchSized(alice, 2);
  await dialog.getByRole("button", { name: "Cancel" }).tap();
  await expect(dialog).toBeHidden();
  // The menu stayed open under the dialog, and the focus is back on Leave, where it was.
  await expect(more).toHaveAttribute("aria-expanded", "true");
  await expect(alice.getByRole("button", { name: "Leave room" })).toBeFocused();
  await alice.getByRole("button", { name: "Leave room" }).tap();
  await dialog.getByRole("button", { name: "Leave room" }).tap();
  await expect(alice).toHaveURL(/\/\?left=true$/);
  await expect(bob.getByTestId("participants")).toHaveText("1/2");
});

test("Attach is an SVG icon with a name, not an emoji", async ({ people }) => {
  const page = await people.join(DESKTOP);
  await page.goto("/");
  // Nor are the lobby's icons characters a font must have (the new-name button was "↻").
  const newName = page.getByRole("button", { name: "Pick a new random name" });
  await expect(newName.locator("svg")).toBeVisible();
  expect((await newName.textContent())?.trim()).toBe("");
  await createRoomFromLobby(page);
  const attach = page.getByRole("button", { name: "Attach image" });
  await expect(attach).toBeVisible();
  await expect(attach.locator("svg")).toBeVisible();
  expect((await attach.textContent())?.trim()).toBe("");
  // No pictograph anywhere in the room's chrome: they are empty boxes where no emoji font is installed.
  for (const chrome of [page.locator("header"), page.locator("form").filter({ has: attach })]) {
    expect(await chrome.textContent()).not.toMatch(/\p{Extended_Pictographic}/u);
  }
});
