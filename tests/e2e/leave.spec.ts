import { expect, test } from "./fixtures";
import { createRoomFromLobby, displayName, joinRoom, typeAndSend } from "./helpers";

test("leaving frees the seat: the partner is told, and the link lets one new person in", async ({ people }) => {
  const [alice, bob, carol] = [await people.join(), await people.join(), await people.join()];
  const url = await createRoomFromLobby(alice);
  await joinRoom(bob, url, alice);
  await typeAndSend(bob, "I have to go");
  await expect(alice.getByRole("log")).toContainText("I have to go");
  const bobName = await displayName(bob);

  await bob.getByRole("button", { name: "Leave room" }).click();
  const dialog = bob.getByRole("dialog");
  await expect(dialog).toContainText("The other person stays");
  await expect(dialog).toContainText("someone new or you again");
  await dialog.getByRole("button", { name: "Leave room" }).click();

  await expect(bob).toHaveURL(/\/\?left=true$/);
  await expect(bob.getByRole("alert")).toContainText("You left the room.");
  await expect(alice.getByTestId("notice").last()).toHaveText(
    `${bobName} left the room. The link now lets one new person in.`,
  );
  await expect(alice.getByTestId("participants")).toHaveText("1/2");
  await expect(alice.getByTestId("presence")).toHaveText("waiting for someone to join");
  await expect(alice.getByRole("log")).toContainText("I have to go");

  await joinRoom(carol, url, alice);
  await expect(alice.getByTestId("notice").last()).toHaveText("Your partner joined");
  await expect(alice.getByTestId("presence")).toContainText("online");
  // Nothing Bob wrote is shown to Carol as her own.
  await expect(carol.getByRole("log").locator('article[data-author="me"]')).toHaveCount(0);
  await typeAndSend(carol, "hi, I'm new");
  await expect(alice.getByRole("log")).toContainText("hi, I'm new");
});

test("Cancel keeps you in the room", async ({ people }) => {
  const page = await people.join();
  await createRoomFromLobby(page);
  await page.getByRole("button", { name: "Leave room" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(page).toHaveURL(/\/room\//);
});
