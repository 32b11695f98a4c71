import type { APIRequestContext, Page } from "@playwright/test";
import { seriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, pairStrangers } from "./helpers";

const invitation = (page: Page) => page.getByRole("region", { name: "Waiting for the other person" });

test("alone in a new room: the link, Copy link and a QR code, gone once the partner arrives", async ({ people }) => {
  const alice = await people.join({ permissions: ["clipboard-read", "clipboard-write"] });
  const bob = await people.join();
  const url = await createRoomFromLobby(alice);

  const box = invitation(alice);
  await expect(box).toBeVisible();
  await expect(box.getByTestId("invitation-link")).toHaveText(url);
  expect(new URL(url).hash).toMatch(/^#[A-Za-z0-9_-]{43}$/);
  await expect(box).toContainText("Anyone with this link can read this room: the key is in the link.");
  const qr = box.getByRole("img", { name: "QR code of the room link" });
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((svg) => svg.tagName.toLowerCase())).toBe("svg");
  await expect(qr.locator("path")).toHaveAttribute("d", /^M\d+ \d+h\d+v1h-\d+z/);
  // Drawn here: nothing but the page's own origin was asked for it (the fixture checks every request).
  await expect(qr.locator("path")).toHaveAttribute("fill", "#000");

  const copy = box.getByRole("button", { name: "Copy link" });
  expect((await copy.boundingBox())?.height).toBeGreaterThanOrEqual(44);
  await copy.click();
  await expect(box.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await alice.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await expect(box.getByRole("button", { name: "Copy link" })).toBeVisible();

  // Share is offered only where the browser can share.
  const canShare = await alice.evaluate(() => typeof navigator.share === "function");
  await expect(box.getByRole("button", { name: "Share" })).toHaveCount(canShare ? 1 : 0);

  expect(await seriousViolations(alice)).toEqual([]);

  await joinRoom(bob, url, alice);
  await expect(invitation(alice)).toHaveCount(0);
  await expect(invitation(bob)).toHaveCount(0);
  await expect(alice.getByRole("img", { name: "QR code of the room link" })).toHaveCount(0);
});

test("Share hands over the link and nothing else", async ({ people }) => {
  const alice = await people.join();
  await alice.addInitScript(() => {
    const shared: ShareData[] = [];
    Object.assign(window, { shared });
    Object.defineProperty(navigator, "share", {
      value: (data: ShareData) => {
        shared.push(data);
        return Promise.resolve();
      },
    });
  });
  const url = await createRoomFromLobby(alice);
  await invitation(alice).getByRole("button", { name: "Share" }).click();
  await expect
    .poll(() => alice.evaluate(() => (window as unknown as { shared: ShareData[] }).shared))
    .toEqual([{ url }]);
});

test("a stranger chat never shows the invitation", async ({ people, request }) => {
  await expect.poll(() => waitingInQueue(request), { message: "nobody waiting", timeout: 6_000 }).toBe(0);
  const [alice, bob] = [await people.join(), await people.join()];
  await pairStrangers(alice, bob);
  for (const page of [alice, bob]) {
    await expect(page.getByRole("log")).toContainText("random stranger");
    await expect(invitation(page)).toHaveCount(0);
    await expect(page.getByRole("img", { name: "QR code of the room link" })).toHaveCount(0);
  }
  await bob.getByRole("button", { name: "End chat" }).click();
  await expect(alice.getByRole("button", { name: "New chat" })).toBeVisible();
});

async function waitingInQueue(request: APIRequestContext): Promise<number> {
  const response = await request.get("/api/trpc/match.stats");
  const body = (await response.json()) as { result: { data: { json: { waiting: number } } } };
  return body.result.data.json.waiting;
}
