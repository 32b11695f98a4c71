import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, displayName, joinRoom, roomKeyOf, typeAndSend } from "./helpers";

const NEWCOMER_NOTICE = "Someone new took the free seat. They cannot read anything sent before they arrived.";
const invitation = (page: Page) => page.getByRole("region", { name: "Waiting for the other person" });

/** What `message.list` gives this page's cookie: the ids of the messages the server lets it read. */
async function listedIds(page: Page): Promise<number[]> {
  const { roomId } = await roomKeyOf(page);
  return page.evaluate(
    async (input) => {
      const response = await fetch(`/api/trpc/message.list?input=${encodeURIComponent(input)}`);
      const body = (await response.json()) as { result: { data: { json: { messages: { id: number }[] } } } };
      return body.result.data.json.messages.map((message) => message.id);
    },
    JSON.stringify({ json: { roomId } }),
  );
}

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
  await expect(dialog).toContainText(
    "Whoever takes it sees only what is sent after they arrive, never what the two of you wrote before.",
  );
  await dialog.getByRole("button", { name: "Leave room" }).click();

  await expect(bob).toHaveURL(/\/\?left=true$/);
  await expect(bob.getByRole("alert")).toContainText("You left the room.");
  await expect(alice.getByTestId("notice").last()).toHaveText(
    `${bobName} left the room. The link now lets one new person in.`,
  );
  await expect(alice.getByTestId("participants")).toHaveText("1/2");
  await expect(alice.getByTestId("presence")).toHaveText("waiting for someone to join");
  await expect(alice.getByRole("log")).toContainText("I have to go");
  // The link is worth sharing again: the invitation is back until the seat is taken.
  await expect(invitation(alice).getByTestId("invitation-link")).toHaveText(url);

  await joinRoom(carol, url, alice);
  await expect(invitation(alice)).toHaveCount(0);
  const carolName = await displayName(carol);
  // Where her reading starts, then her name once she has chosen it.
  await expect(alice.getByTestId("notice")).toHaveText([
    `${bobName} joined`,
    `${bobName} left the room. The link now lets one new person in.`,
    NEWCOMER_NOTICE,
    `${carolName} joined`,
  ]);
  await expect(alice.getByTestId("presence")).toHaveText(`${carolName} · online`);
  // Nothing Bob wrote is shown to Carol as her own.
  await expect(carol.getByRole("log").locator('article[data-author="me"]')).toHaveCount(0);
  await typeAndSend(carol, "hi, I'm new");
  await expect(alice.getByRole("log")).toContainText("hi, I'm new");
});

test("whoever takes a freed seat reads nothing from before, and the one who stayed is told so", async ({ people }) => {
  const [alice, bob, carol] = [await people.join(), await people.join(), await people.join()];
  const url = await createRoomFromLobby(alice);
  await joinRoom(bob, url, alice);
  const bobName = await displayName(bob);
  await typeAndSend(alice, "the plan is under the mat");
  await typeAndSend(bob, "got it, see you there");
  await expect(alice.getByRole("log")).toContainText("got it, see you there");
  await bob.getByRole("button", { name: "Leave room" }).click();
  await bob.getByRole("dialog").getByRole("button", { name: "Leave room" }).click();
  await expect(alice.getByTestId("presence")).toHaveText("waiting for someone to join");

  // The seats event follows the stored messages on Carol's stream: by 2/2, any replay is in.
  await joinRoom(carol, url, alice);
  await expect(carol.getByRole("log").locator("article")).toHaveCount(0);
  await expect(carol.locator("main")).not.toContainText("under the mat");
  await expect(carol.locator("main")).not.toContainText("see you there");
  expect(await listedIds(carol)).toEqual([]);
  // Her header is about Alice, who is here, never about Bob, who is gone.
  await expect(carol.getByTestId("presence")).toHaveText(`${await displayName(alice)} · online`);
  await expect(carol.getByTestId("presence")).not.toContainText(bobName);

  // Alice is told plainly, at the point where Carol's reading starts, and then who she is.
  const carolName = await displayName(carol);
  await expect(alice.getByTestId("notice").last()).toHaveText(`${carolName} joined`);
  await typeAndSend(alice, "welcome, carol");
  await expect(carol.getByRole("log")).toContainText("welcome, carol");
  await expect(carol.getByTestId("presence")).toHaveText(`${await displayName(alice)} · online`);
  expect(await listedIds(carol)).toEqual([3]);
  // In Alice's log the line sits between what Carol cannot read and what she can.
  const entries = alice.getByRole("log").locator("article, [data-testid=notice]");
  const order = async () => {
    const texts = await entries.allTextContents();
    return ["see you there", NEWCOMER_NOTICE, "welcome, carol"].map((part) =>
      texts.findIndex((text) => text.includes(part)),
    );
  };
  await expect.poll(order).not.toContain(-1);
  const [before = 0, notice = 0, after = 0] = await order();
  expect(before).toBeLessThan(notice);
  expect(notice).toBeLessThan(after);
  await expect(alice.getByTestId("notice").filter({ hasText: NEWCOMER_NOTICE })).toHaveCount(1);

  // A reload replays only what is hers to read, and so does Alice's for Alice.
  await carol.reload();
  await expect(carol.getByRole("log")).toContainText("welcome, carol");
  await expect(carol.getByRole("log").locator("article")).toHaveCount(1);
  await alice.reload();
  await expect(alice.getByRole("log").locator("article")).toHaveCount(3);
  // By then she has a name: the one line says it.
  await expect(alice.getByTestId("notice")).toHaveText([
    `${carolName} took the free seat. They cannot read anything sent before they arrived.`,
  ]);
});

test("Cancel keeps you in the room", async ({ people }) => {
  const page = await people.join();
  await createRoomFromLobby(page);
  await page.getByRole("button", { name: "Leave room" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(page).toHaveURL(/\/room\//);
});
