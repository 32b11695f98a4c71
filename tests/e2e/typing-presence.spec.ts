import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, displayName, joinRoom, typeAndSend } from "./helpers";

/** What the partner's page showed, and when: every change of its typing line and of its message count. */
interface Moment {
  at: number;
  typing: string;
  messages: number;
}

/** Records, inside the page, each change of the typing indicator and of how many partner messages the log holds. */
async function watchTypingAndMessages(page: Page): Promise<() => Promise<Moment[]>> {
  await page.evaluate(() => {
    const moments: Moment[] = [];
    const record = () => {
      const typing = document.querySelector('[data-testid="typing"]')?.textContent ?? "";
      const messages = document.querySelectorAll('[role="log"] article[data-author="partner"]').length;
      const last = moments.at(-1);
      if (!last || last.typing !== typing || last.messages !== messages)
        moments.push({ at: performance.now(), typing, messages });
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    (window as unknown as { moments: Moment[] }).moments = moments;
  });
  return () => page.evaluate(() => (window as unknown as { moments: Moment[] }).moments);
}

/** A stale "is typing" that outlives a message shows for seconds; watching this long after each one catches it. */
const WATCH_AFTER_MESSAGE_MS = 1500;
/** The indicator must be gone this soon after the message is on screen. */
const CLEARED_WITHIN_MS = 500;

test.describe("the partner, live", () => {
  test("sees typing as it happens; it clears after a pause and when the message arrives", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    const aliceName = await displayName(alice);
    const typingSignals: boolean[] = [];
    alice.on("request", (request) => {
      if (request.url().includes("room.typing"))
        typingSignals.push((request.postData() ?? "").includes('"typing":true'));
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

  // Text that arrives whole (filled by a password manager or a test, pasted) and is sent at once
  // races its own typing signal: a signal that reaches the server after the message must not
  // put "is typing" back on the partner's screen for the seconds it lasts.
  for (const way of ["filled", "pasted"] as const) {
    test(`clears "is typing" with the message when text is ${way} and sent at once, every time`, async ({ people }) => {
      const alice = await people.join(way === "pasted" ? { permissions: ["clipboard-read", "clipboard-write"] } : {});
      const bob = await people.join();
      await joinRoom(bob, await createRoomFromLobby(alice), alice);
      const moments = await watchTypingAndMessages(bob);
      const box = alice.getByRole("textbox", { name: "Message" });
      // Every other round, the typing signal takes the slow road (another instance, a congested
      // connection): it reaches the server only after the message it came before was stored.
      let slowRoad: Promise<unknown> | null = null;
      await alice.route(/\/api\/trpc\/[^?]*room\.typing/, async (route) => {
        // A paste and an Enter that land in one task reach the server as one batch, typing first;
        // holding that batch until its own send is answered would hold it forever.
        const batchedWithSend = route.request().url().includes("message.send");
        if (slowRoad && !batchedWithSend) await slowRoad;
        await route.continue();
      });
      for (let round = 1; round <= 6; round += 1) {
        const text = `message number ${round}, ${way} and sent at once`;
        slowRoad = round % 2 === 0 ? alice.waitForResponse(/\/api\/trpc\/[^?]*message\.send/) : null;
        if (way === "filled") {
          await box.fill(text);
        } else {
          await alice.evaluate((value) => navigator.clipboard.writeText(value), text);
          await box.focus();
          await alice.keyboard.press("ControlOrMeta+V");
        }
        await alice.keyboard.press("Enter");
        await expect(bob.getByRole("log")).toContainText(text);
        const arrivedAt = (await moments()).find((moment) => moment.messages === round)?.at;
        if (arrivedAt === undefined) throw new Error(`message ${round} never counted`);
        // Proving that the indicator does not come back needs the time it would come back in.
        await expect
          .poll(() => bob.evaluate(() => performance.now()), {
            message: "the watch after the message",
            timeout: WATCH_AFTER_MESSAGE_MS * 3,
          })
          .toBeGreaterThan(arrivedAt + WATCH_AFTER_MESSAGE_MS);
        const seen = await moments();
        const lastBefore = seen.filter((moment) => moment.at <= arrivedAt + CLEARED_WITHIN_MS).at(-1);
        const later = seen.filter((moment) => moment.at > arrivedAt + CLEARED_WITHIN_MS);
        const typingShown = [lastBefore, ...later].filter((moment) => moment && moment.typing !== "");
        expect(
          typingShown.map(
            (moment) => `"${moment!.typing}" ${Math.round(moment!.at - arrivedAt)} ms after message ${round}`,
          ),
          `"is typing" gone within ${CLEARED_WITHIN_MS} ms of message ${round} and not back`,
        ).toEqual([]);
      }
    });
  }

  test("shows presence: online, left after the grace period, back again; a reload does not flap", async ({
    people,
  }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    const aliceStatus = alice.getByTestId("presence");
    await expect(aliceStatus).toHaveText("waiting for someone to join");
    await joinRoom(bob, url, alice);
    const bobName = await displayName(bob);
    const notices = alice.getByTestId("notice");

    // Alice saw Bob arrive, by the name he chose, before he wrote anything; Bob, arriving, is
    // told nothing about the state he found.
    await expect(notices).toHaveText([`${bobName} joined`]);
    await expect(aliceStatus).toHaveText(`${bobName} · online`);
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
    await expect(notices).toHaveText([`${bobName} joined`, `${bobName} left`], { timeout: 10_000 });
    await expect(aliceStatus).toHaveText(new RegExp(`^${bobName} · last seen \\d{1,2}:\\d{2}`));

    // Same browser, same seat: back, and announced.
    await bob.goto(url);
    await expect(notices).toHaveText([`${bobName} joined`, `${bobName} left`, `${bobName} joined`], {
      timeout: 10_000,
    });
    await expect(aliceStatus).toHaveText(`${bobName} · online`);
    // The notices sit in the log between messages, not as bubbles.
    await expect(alice.getByRole("log").locator("article")).toHaveCount(1);
  });
});
