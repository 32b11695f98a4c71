import { devices } from "@playwright/test";
import { expect, test } from "./fixtures";
import { acceptName, KEYED_ROOM_URL, SCREENSHOTS_DIR as SHOTS } from "./helpers";

for (const [label, device] of [
  ["desktop", devices["Desktop Chrome"]],
  ["mobile", devices["Pixel 7"]],
] as const) {
  test(`screenshots of the lobby and a live room (${label})`, async ({ people }) => {
    const alice = await people.join({ ...device, colorScheme: "dark" });
    const bob = await people.join(devices["Desktop Chrome"]);

    await alice.goto("/");
    await alice.getByLabel("Your name").fill("shark-anonymous-8x2k1");
    await expect(alice.getByRole("button", { name: "Create room" })).toBeEnabled();
    await alice.screenshot({ path: `${SHOTS}/lobby-${label}.png` });

    await alice.getByRole("button", { name: "Create room" }).click();
    await expect(alice).toHaveURL(KEYED_ROOM_URL);
    // Alone in the new room: the invitation, QR code drawn.
    await expect(alice.getByRole("img", { name: "QR code of the room link" })).toBeVisible();
    await alice.screenshot({ path: `${SHOTS}/room-waiting-${label}.png` });
    await bob.goto("/");
    await bob.getByLabel("Your name").fill("otter-anonymous-q7m2p");
    await bob.goto(alice.url());
    await acceptName(bob);
    await expect(alice.getByTestId("participants")).toHaveText("2/2");

    const lines: Array<[typeof alice, string]> = [
      [alice, "hey, is this the link you meant?"],
      [bob, "yes. it burns itself in ten minutes, so be quick"],
      [alice, "perfect. the address is 42 Wallaby Way. memorise it"],
      [bob, "got it. destroying the room now"],
    ];
    for (const [page, text] of lines) {
      await page.getByRole("textbox", { name: "Message" }).fill(text);
      await page.keyboard.press("Enter");
      await expect(alice.getByRole("log")).toContainText(text);
    }
    await expect(alice.locator('[data-status="sending"]')).toHaveCount(0);
    await alice.screenshot({ path: `${SHOTS}/room-${label}.png` });
  });
}
