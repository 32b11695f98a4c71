import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, setVisibility, startHidden, typeAndSend } from "./helpers";

test("ticks go sent → delivered → seen, and stay delivered while the reader's tab is hidden", async ({ people }) => {
  const [alice, bob] = [await people.join(), await people.join()];
  const url = await createRoomFromLobby(alice);
  const log = alice.getByRole("log");

  await typeAndSend(alice, "before you came");
  const first = log.locator("article", { hasText: "before you came" });
  await expect(first).toHaveAttribute("data-receipt", "sent");
  await expect(first.getByRole("img", { name: "Sent" })).toBeVisible();

  // Bob opens the room in a background tab: it arrives, but nobody has looked at it.
  const bobReceipts: string[] = [];
  bob.on("request", (request) => {
    if (request.url().includes("message.receipt")) bobReceipts.push(request.postData() ?? "");
  });
  await startHidden(bob);
  await joinRoom(bob, url, alice);
  await expect(first).toHaveAttribute("data-receipt", "delivered");
  await expect(first.getByRole("img", { name: "Delivered" })).toBeVisible();

  await typeAndSend(alice, "while you look away");
  const second = log.locator("article", { hasText: "while you look away" });
  await expect(second).toHaveAttribute("data-receipt", "delivered");
  await expect(bob.getByRole("log")).toContainText("while you look away");
  await expect(first).toHaveAttribute("data-receipt", "delivered");
  expect(bobReceipts.length).toBeGreaterThan(0);
  expect(
    bobReceipts.filter((body) => body.includes('"seen"')),
    "no seen receipt from a hidden tab",
  ).toEqual([]);

  await setVisibility(bob, "visible");
  await expect(second).toHaveAttribute("data-receipt", "seen");
  await expect(first).toHaveAttribute("data-receipt", "seen");
  await expect(second.getByRole("img", { name: "Seen" })).toBeVisible();
  const colours = await log
    .locator("article[data-receipt] svg")
    .evaluateAll((icons) => icons.map((icon) => getComputedStyle(icon).color));
  expect(new Set(colours).size).toBe(1);

  // Receipts go both ways, and the status survives a reload (message.list / the stream's state).
  await typeAndSend(bob, "seen it");
  await expect(bob.getByRole("log").locator("article", { hasText: "seen it" })).toHaveAttribute("data-receipt", "seen");
  await alice.reload();
  await expect(alice.getByRole("log").locator("article", { hasText: "while you look away" })).toHaveAttribute(
    "data-receipt",
    "seen",
  );
  // Partner messages carry no ticks.
  await expect(alice.getByRole("log").locator('article[data-author="partner"] svg')).toHaveCount(0);
});
