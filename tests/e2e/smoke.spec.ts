import { expect, test } from "./fixtures";
import { acceptName, KEYED_ROOM_URL } from "./helpers";

test("two people create, join, talk both ways, and destroy a room", async ({ people }) => {
  const alice = await people.join();
  const bob = await people.join();

  await alice.goto("/");
  await alice.getByRole("button", { name: "Create room" }).click();
  await expect(alice).toHaveURL(KEYED_ROOM_URL);
  const roomUrl = alice.url();

  await bob.goto(roomUrl);
  await acceptName(bob);
  await expect(bob.getByRole("timer")).toHaveText(/^(09|10):\d\d$/);

  await alice.getByRole("textbox", { name: "Message" }).fill("hello bob");
  await alice.keyboard.press("Enter");
  await expect(bob.getByRole("log")).toContainText("hello bob");
  await expect(alice.getByRole("log")).toContainText("hello bob");

  await bob.getByRole("textbox", { name: "Message" }).fill("hi alice");
  await bob.getByRole("button", { name: "Send" }).click();
  await expect(alice.getByRole("log")).toContainText("hi alice");

  await alice.getByRole("button", { name: "Destroy now" }).click();
  await alice.getByRole("button", { name: "Destroy room" }).click();

  for (const page of [alice, bob]) {
    await expect(page).toHaveURL(/\/\?destroyed=true$/);
    await expect(page.getByRole("alert")).toContainText("destroyed");
  }

  // The link is dead for everyone afterwards.
  await bob.goto(roomUrl);
  await expect(bob).toHaveURL(/\/\?error=room-not-found$/);
});
