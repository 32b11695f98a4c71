import { devices, type Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, typeAndSend } from "./helpers";

const phone = devices["Pixel 7"];

async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test("two phones: create, join, talk, destroy, with everything on screen", async ({ people }) => {
  const [alice, bob] = [await people.join(phone), await people.join(phone)];
  await alice.goto("/");
  await expectNoSidewaysScroll(alice);
  const url = await createRoomFromLobby(alice);
  await joinRoom(bob, url, alice);

  for (const page of [alice, bob]) {
    await expectNoSidewaysScroll(page);
    for (const control of [
      page.getByRole("timer"),
      page.getByRole("button", { name: "Copy link" }),
      page.getByRole("button", { name: "Destroy now" }),
      page.getByRole("textbox", { name: "Message" }),
      page.getByRole("button", { name: "Send" }),
    ]) {
      await expect(control).toBeInViewport();
    }
  }

  await typeAndSend(alice, "sent from a phone, with a long unbroken link https://example.com/" + "a".repeat(120));
  await expect(bob.getByRole("log")).toContainText("sent from a phone");
  await bob.getByRole("textbox", { name: "Message" }).fill("tapped send");
  await bob.getByRole("button", { name: "Send" }).tap();
  await expect(alice.getByRole("log")).toContainText("tapped send");
  await expectNoSidewaysScroll(bob);

  await bob.getByRole("button", { name: "Destroy now" }).tap();
  await bob.getByRole("button", { name: "Destroy room" }).tap();
  await expect(alice).toHaveURL(/\/\?destroyed=true$/);
  await expect(bob).toHaveURL(/\/\?destroyed=true$/);
});
