import { expect, test } from "./fixtures";
import { createRoomFromLobby, displayName, joinRoom, typeAndSend } from "./helpers";

test.describe("the partner, live", () => {
  test("sees typing as it happens; it clears after a pause and when the message arrives", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    const aliceName = await displayName(alice);
    const typingSignals: boolean[] = [];
    alice.on("request", (request) => {
      if (request.url().includes("room.typing")) typingSignals.push((request.postData() ?? "").includes('"typing":true'));
    });

    const indicator = bob.getByTestId("typing");
    await expect(indicator).toHaveText("");
    const box = alice.getByRole("textbox", { name: "Message" });
    const startedAt = Date.now();
    await box.pressSequentially("hello there, how are you", { delay: 100 });
    const typedForMs = Date.now() - startedAt;
    await expect(indicator).toHaveText(`${aliceName} is typing…`);
    // Leading edge, then at most one signal a second while typing goes on.
    const starts = typingSignals.filter(Boolean).length;
    expect(starts).toBeGreaterThanOrEqual(2);
    expect(starts).toBeLessThanOrEqual(Math.ceil(typedForMs / 1000) + 1);

    // Two seconds without a keystroke is a stop.
    await expect(indicator).toHaveText("", { timeout: 5000 });
    expect(typingSignals.at(-1)).toBe(false);

    await box.pressSequentially(" today?", { delay: 50 });
    await expect(indicator).toHaveText(`${aliceName} is typing…`);
    const signalsBeforeSend = typingSignals.length;
    await alice.keyboard.press("Enter");
    await expect(bob.getByRole("log")).toContainText("hello there, how are you today?");
    // Cleared with the message, not seconds later by a timer.
    await expect(indicator).toHaveText("", { timeout: 1000 });
    // Sending needs no separate stop signal.
    expect(typingSignals.slice(signalsBeforeSend)).toEqual([]);

    // Clearing the box stops at once.
    await bob.getByRole("textbox", { name: "Message" }).fill("never mind");
    await expect(alice.getByTestId("typing")).toHaveText(/is typing…$/);
    await bob.getByRole("textbox", { name: "Message" }).fill("");
    await expect(alice.getByTestId("typing")).toHaveText("", { timeout: 1500 });
  });

  test("shows presence: online, left after the grace period, back again; a reload does not flap", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    const aliceStatus = alice.getByTestId("presence");
    await expect(aliceStatus).toHaveText("waiting for someone to join");
    await joinRoom(bob, url, alice);
    const bobName = await displayName(bob);
    const notices = alice.getByTestId("notice");

    // Alice saw Bob arrive; Bob, arriving, is told nothing about the state he found.
    await expect(notices).toHaveText(["Your partner joined"]);
    await expect(aliceStatus).toHaveText("Your partner · online");
    await expect(bob.getByTestId("presence")).toContainText("· online");
    await expect(bob.getByTestId("notice")).toHaveCount(0);

    await typeAndSend(bob, "it's bob");
    await expect(aliceStatus).toHaveText(`${bobName} · online`);

    // A reload inside the grace period is not a departure.
    await bob.reload();
    await expect(bob.getByRole("log")).toContainText("it's bob");
    await expect(bob.getByTestId("participants")).toHaveText("2/2");

    // Closing the room is, once the grace period (2 s on the test server) has passed.
    await bob.goto("about:blank");
    await expect(notices).toHaveText(["Your partner joined", `${bobName} left`], { timeout: 10_000 });
    await expect(aliceStatus).toHaveText(new RegExp(`^${bobName} · last seen \\d{1,2}:\\d{2}`));

    // Same browser, same seat: back, and announced.
    await bob.goto(url);
    await expect(notices).toHaveText(["Your partner joined", `${bobName} left`, `${bobName} joined`], { timeout: 10_000 });
    await expect(aliceStatus).toHaveText(`${bobName} · online`);
    // The notices sit in the log between messages, not as bubbles.
    await expect(alice.getByRole("log").locator("article")).toHaveCount(1);
  });
});
