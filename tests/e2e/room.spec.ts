import { expect, test } from "./fixtures";
import { createRoomFromLobby, createRoomThroughApi, joinRoom, sendThroughApi, typeAndSend } from "./helpers";

test.describe("a room for two", () => {
  test("tells own and partner messages apart, with name and time, newest at the bottom", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    await typeAndSend(alice, "first from alice");
    await expect(bob.getByRole("log")).toContainText("first from alice");
    await typeAndSend(bob, "then bob");
    await expect(alice.getByRole("log")).toContainText("then bob");

    const articles = alice.getByRole("log").locator("article");
    await expect(articles).toHaveCount(2);
    await expect(articles.nth(0)).toHaveAttribute("data-author", "me");
    await expect(articles.nth(1)).toHaveAttribute("data-author", "partner");
    await expect(articles.nth(1).locator("time")).toHaveText(/\d{1,2}:\d{2}/);
    const [mine, theirs] = [
      await articles.nth(0).locator("p").nth(1).boundingBox(),
      await articles.nth(1).locator("p").nth(1).boundingBox(),
    ];
    expect(mine && theirs && mine.x > theirs.x).toBe(true);
    const colours = await articles.evaluateAll((nodes) =>
      nodes.map((node) => getComputedStyle(node.querySelectorAll("p")[1] as Element).backgroundColor),
    );
    expect(colours[0]).not.toBe(colours[1]);
  });

  test("never renders text as HTML, wraps long words, keeps Shift+Enter line breaks", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    const hostile = `<b>bold</b><img src=x onerror="document.title='pwned'">`;
    await typeAndSend(alice, hostile);
    const box = alice.getByRole("textbox", { name: "Message" });
    await box.fill("line one");
    await alice.keyboard.press("Shift+Enter");
    await alice.keyboard.type("line two");
    await expect(box).toHaveValue("line one\nline two");
    await alice.keyboard.press("Enter");
    await expect(box).toHaveValue("");
    await typeAndSend(alice, "x".repeat(400));

    const log = bob.getByRole("log");
    await expect(log).toContainText(hostile);
    await expect(log.locator("b, img")).toHaveCount(0);
    expect(await bob.title()).not.toBe("pwned");
    await expect(log.locator("article").nth(1).locator("p").nth(1)).toHaveText("line one\nline two", {
      useInnerText: true,
    });
    await expect(log).toContainText("x".repeat(400));
    const overflow = await log.evaluate((node) => node.scrollWidth - node.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  test("shows the character count near the limit and stops at it", async ({ people }) => {
    const page = await people.join();
    await createRoomFromLobby(page);
    const box = page.getByRole("textbox", { name: "Message" });
    await box.fill("a".repeat(1700));
    await expect(page.getByText("1700/2000")).toHaveCount(0);
    await box.fill("a".repeat(1850));
    await expect(page.getByText("1850/2000")).toBeVisible();
    await box.fill("a".repeat(2100));
    await expect(page.getByText("2000/2000")).toBeVisible();
    await expect(box).toHaveValue("a".repeat(2000));
  });

  test("sends optimistically: pending at once, failed with Retry, delivered once on retry", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    people.allowConsoleError(/Failed to load resource: the server responded with a status of 503/);

    // Hold the next send until the bubble has been seen pending, then refuse it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await alice.route("**/api/trpc/message.send**", async (route) => {
      await held;
      await route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify([
          {
            error: {
              json: {
                message: "Service unavailable",
                code: -32603,
                data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 503 },
              },
            },
          },
        ]),
      });
    });
    await typeAndSend(alice, "are you there?");
    const bubble = alice.getByRole("log").locator("article", { hasText: "are you there?" });
    await expect(bubble).toHaveAttribute("data-status", "sending");
    await expect(bubble).toContainText("Sending…");
    release();
    await expect(bubble).toHaveAttribute("data-status", "failed");
    await expect(bubble).toContainText("Not sent");

    await alice.unroute("**/api/trpc/message.send**");
    await bubble.getByRole("button", { name: "Retry" }).click();
    await expect(bubble).toHaveAttribute("data-status", "sent");
    await expect(bob.getByRole("log").locator("article", { hasText: "are you there?" })).toHaveCount(1);
    await expect(alice.getByRole("log").locator("article", { hasText: "are you there?" })).toHaveCount(1);
  });

  test("marks an earlier send failed even when a later one is still on its way", async ({ people }) => {
    const page = await people.join();
    await createRoomFromLobby(page);
    people.allowConsoleError(/Failed to load resource: the server responded with a status of 503/);
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    // The text is sealed: the first send is the doomed one (the outbox sends in order).
    let sends = 0;
    await page.route("**/api/trpc/message.send**", async (route) => {
      sends += 1;
      if (sends > 1) return route.continue();
      await firstHeld;
      await route.fulfill({
        status: 503,
        contentType: "application/json",
        body: JSON.stringify([
          {
            error: {
              json: {
                message: "Service unavailable",
                code: -32603,
                data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 503 },
              },
            },
          },
        ]),
      });
    });
    await typeAndSend(page, "doomed first");
    const doomed = page.getByRole("log").locator("article", { hasText: "doomed first" });
    await expect(doomed).toHaveAttribute("data-status", "sending");
    await typeAndSend(page, "fine second");
    // The second send is in flight or done when the first one fails.
    releaseFirst();
    await expect(doomed).toHaveAttribute("data-status", "failed");
    await expect(page.getByRole("log").locator("article", { hasText: "fine second" })).toHaveAttribute(
      "data-status",
      "sent",
    );
  });

  test("shows seats taken, copies the link with a toast", async ({ people }) => {
    const [alice, bob] = [
      await people.join({ permissions: ["clipboard-read", "clipboard-write"] }),
      await people.join(),
    ];
    const url = await createRoomFromLobby(alice);
    await expect(alice.getByTestId("participants")).toHaveText("1/2");
    await alice.locator("header").getByRole("button", { name: "Copy link" }).click();
    await expect(alice.getByRole("status").filter({ hasText: "Link copied" })).toBeVisible();
    expect(await alice.evaluate(() => navigator.clipboard.readText())).toBe(url);
    await joinRoom(bob, url, alice);
  });

  test("turns the countdown to a warning colour in the last minute", async ({ people, request }) => {
    const { path } = await createRoomThroughApi(request, 75);
    const page = await people.join();
    await page.goto(path);
    const timer = page.getByRole("timer");
    await expect(timer).toHaveAttribute("data-warning", "false");
    const calm = await timer.evaluate((node) => getComputedStyle(node).color);
    await expect(timer).toHaveAttribute("data-warning", "true", { timeout: 20_000 });
    expect(await timer.evaluate((node) => getComputedStyle(node).color)).not.toBe(calm);
  });

  test("destroys only after confirmation, and sends both people to the lobby within a second", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    await typeAndSend(bob, "bye");

    await alice.getByRole("button", { name: "Destroy now" }).click();
    const dialog = alice.getByRole("dialog", { name: "Destroy this room?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(alice.getByRole("log")).toContainText("bye");

    // Timed by events, not by polling the URL: an assertion's retry back-off alone can add
    // half a second on a loaded machine. The clock starts when the destroy request leaves.
    await alice.getByRole("button", { name: "Destroy now" }).click();
    const destroySent = alice.waitForRequest(/room\.destroy/).then(() => Date.now());
    const arrived = [alice, bob].map((page) =>
      page.waitForURL(/\/\?destroyed=true$/, { timeout: 5000 }).then(() => Date.now()),
    );
    await dialog.getByRole("button", { name: "Destroy room" }).click();
    const sent = await destroySent;
    for (const at of await Promise.all(arrived)) expect(at - sent).toBeLessThan(1000);
  });

  test("counts unread messages in the title while the tab is hidden", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    const title = await alice.title();
    const setVisibility = (state: "hidden" | "visible") =>
      alice.evaluate((value) => {
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => value });
        document.dispatchEvent(new Event("visibilitychange"));
      }, state);

    await setVisibility("hidden");
    await typeAndSend(bob, "one");
    await typeAndSend(bob, "two");
    await expect(alice).toHaveTitle(`(2) ${title}`);
    await setVisibility("visible");
    await expect(alice).toHaveTitle(title);
  });

  test("follows new messages at the bottom, and offers a pill to a reader who scrolled up", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    for (let index = 1; index <= 30; index += 1) await sendThroughApi(bob, `filler message ${index}`);
    const log = alice.getByRole("log");
    await expect(log.locator("article")).toHaveCount(30);
    const distanceFromBottom = () => log.evaluate((node) => node.scrollHeight - node.scrollTop - node.clientHeight);
    await expect.poll(distanceFromBottom).toBeLessThan(5);

    await log.evaluate((node) => node.scrollTo({ top: 0 }));
    await sendThroughApi(bob, "while you were reading");
    const pill = alice.getByRole("button", { name: /1 new message/ });
    await expect(pill).toBeVisible();
    expect(await log.evaluate((node) => node.scrollTop)).toBeLessThan(5);
    await pill.click();
    await expect(pill).toBeHidden();
    await expect.poll(distanceFromBottom).toBeLessThan(5);
  });
});
