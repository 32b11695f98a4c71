import type { Page } from "@playwright/test";
import { seriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { acceptName, createRoomFromLobby, displayName, typeAndSend } from "./helpers";

/** What this page posts to `room.setName`, to check no name ever leaves the browser in the clear. */
function nameRequests(page: Page): string[] {
  const bodies: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("room.setName")) bodies.push(request.postData() ?? "");
  });
  return bodies;
}

const namePrompt = (page: Page) => page.getByRole("textbox", { name: "Your name in this room" });

test.describe("names in a private room", () => {
  // An axe analysis takes seconds on a busy machine.
  test.slow();

  test("someone who arrives by a link is asked once, accepts with Enter, and is named before writing", async ({
    people,
  }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    const aliceName = await displayName(alice);
    // The creator chose a name in the lobby: the room does not ask again.
    await expect(namePrompt(alice)).toHaveCount(0);
    await expect(alice.getByRole("textbox", { name: "Message" })).toBeEnabled();

    const sentByBob = nameRequests(bob);
    await bob.goto(url);
    // The gate took the seat already; the composer waits for the name.
    await expect(alice.getByTestId("participants")).toHaveText("2/2");
    const prompt = namePrompt(bob);
    await expect(prompt).toBeFocused();
    await expect(prompt).toHaveValue(/^[a-z]+-anonymous-[0-9a-z]{5}$/);
    await expect(bob.getByRole("textbox", { name: "Message" })).toHaveCount(0);
    // Bob already sees who he is talking to; Alice sees that someone is choosing a name.
    await expect(bob.getByTestId("presence")).toHaveText(`${aliceName} · online`);
    await expect(alice.getByTestId("presence")).toHaveText("Someone is joining · choosing a name");
    expect(await seriousViolations(bob)).toEqual([]);

    await prompt.fill("Robin");
    await bob.keyboard.press("Enter");
    await expect(bob.getByRole("textbox", { name: "Message" })).toBeFocused();
    await expect(bob.locator("#composer-hint")).toContainText("as Robin");

    // Alice knows his name before any message: in the header and in the log's notice.
    await expect(alice.getByTestId("presence")).toHaveText("Robin · online");
    await expect(alice.getByTestId("notice")).toHaveText(["Robin joined"]);
    await expect(alice.getByRole("log").locator("article")).toHaveCount(0);
    expect(await displayName(bob)).toBe("Robin");
    // Sealed with the room key: the server was never sent the name itself.
    expect(sentByBob).toHaveLength(1);
    expect(sentByBob[0]).not.toContain("Robin");

    // Asked once: a reload goes straight back to the composer, under the same name.
    await bob.reload();
    await expect(bob.getByRole("textbox", { name: "Message" })).toBeEnabled();
    await expect(namePrompt(bob)).toHaveCount(0);
    await typeAndSend(bob, "hello from robin");
    await expect(alice.getByRole("log").locator("article").last()).toContainText("Robin");
  });

  test("either person renames themselves and the other sees it at once", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    const aliceName = await displayName(alice);
    await bob.goto(url);
    const bobName = await acceptName(bob);
    await expect(alice.getByTestId("presence")).toHaveText(`${bobName} · online`);

    // Alice: Change name, a new one, Enter.
    await alice.getByRole("button", { name: "Change name" }).click();
    const renameBox = alice.getByRole("textbox", { name: "Change your name" });
    await expect(renameBox).toBeFocused();
    await expect(renameBox).toHaveValue(aliceName);
    expect(await seriousViolations(alice)).toEqual([]);
    await renameBox.fill("Alicia");
    await alice.keyboard.press("Enter");
    await expect(alice.locator("#composer-hint")).toContainText("as Alicia");
    await expect(bob.getByTestId("presence")).toHaveText("Alicia · online");
    await expect(bob.getByTestId("notice").last()).toHaveText(`${aliceName} is now called Alicia`);

    // Bob too; Escape first keeps the name he has.
    await bob.getByRole("button", { name: "Change name" }).click();
    await bob.getByRole("textbox", { name: "Change your name" }).fill("not this one");
    await bob.keyboard.press("Escape");
    await expect(bob.locator("#composer-hint")).toContainText(`as ${bobName}`);
    await bob.getByRole("button", { name: "Change name" }).click();
    await bob.getByRole("textbox", { name: "Change your name" }).fill("Bobby");
    await bob.keyboard.press("Enter");
    await expect(alice.getByTestId("presence")).toHaveText("Bobby · online");
    await expect(alice.getByTestId("notice").last()).toHaveText(`${bobName} is now called Bobby`);

    // What they write from now on goes under the new names.
    await typeAndSend(alice, "new name, same me");
    await expect(bob.getByRole("log").locator("article").last()).toContainText("Alicia");
    await typeAndSend(bob, "likewise");
    await expect(alice.getByRole("log").locator("article").last()).toContainText("Bobby");
  });
});
