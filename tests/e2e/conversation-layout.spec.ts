import type { Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../support/app-server";
import { startRedisServer, type TestRedis } from "../support/redis-server";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, displayName, joinRoom, typeAndSend } from "./helpers";

/** How tall each message's name-and-time header is drawn: a grouped message's is visually hidden. */
function headerHeights(page: Page): Promise<number[]> {
  return page
    .getByRole("log")
    .locator("article > p:first-child")
    .evaluateAll((headers) => headers.map((header) => header.getBoundingClientRect().height));
}

/**
 * Each header as drawn: "shown", or "hidden" (a grouped message's). Polled, as a message's header
 * settles a frame or two after its article is in the log.
 */
async function headerStates(page: Page): Promise<string[]> {
  const heights = await headerHeights(page);
  return heights.map((height) => (height > 8 ? "shown" : height <= 1 ? "hidden" : `${height}px`));
}

test("two quick messages from one person share one header; a reply opens its own", async ({ people }) => {
  const [alice, bob] = [await people.join(), await people.join()];
  await joinRoom(bob, await createRoomFromLobby(alice), alice);
  const aliceName = await displayName(alice);

  await typeAndSend(alice, "first of two");
  await typeAndSend(alice, "second of two");
  const fromAlice = bob.getByRole("log").locator('article[data-author="partner"]');
  await expect(fromAlice).toHaveCount(2);
  await expect.poll(() => headerStates(bob)).toEqual(["shown", "hidden"]);
  // Hidden from sight, not from a screen reader: the second message still says who wrote it.
  await expect(fromAlice.nth(1).locator("p").first()).toHaveText(new RegExp(`^${aliceName} · `));
  // Message text in the device's proportional face, the chrome in the mono one.
  const faceOf = (page: Page, selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((element) => getComputedStyle(element).fontFamily);
  expect(await faceOf(bob, 'article[data-author="partner"] p:not(:first-child)')).toMatch(/^ui-sans-serif, system-ui/);
  expect(await faceOf(bob, "#message")).toMatch(/^ui-sans-serif, system-ui/);
  expect(await faceOf(bob, "h1")).toMatch(/^"JetBrains Mono"/);
  // One day, one label, above the first message.
  await expect(bob.getByTestId("day-separator")).toHaveText(["Today"]);

  // Alice sees her own two grouped too, and each keeps its receipt.
  await expect(alice.getByRole("log").locator('article[data-author="me"][data-receipt]')).toHaveCount(2);
  await expect.poll(() => headerStates(alice)).toEqual(["shown", "hidden"]);
  await expect(
    alice
      .getByRole("log")
      .locator("article")
      .nth(1)
      .getByRole("img", { name: /Sent|Delivered|Seen/ }),
  ).toBeVisible();

  await typeAndSend(bob, "a reply");
  await expect(bob.getByRole("log").locator("article")).toHaveCount(3);
  await expect.poll(() => headerStates(bob)).toEqual(["shown", "hidden", "shown"]);
});

/**
 * Bob's instance dies while Alice, on another instance of the same Redis, stays: Bob's page last
 * heard that she was here, but it cannot tell any more, and says so.
 */
test.describe("while the stream reconnects", () => {
  let redis: TestRedis;
  let instanceA: AppServer;
  let instanceB: AppServer;
  const env = () => ({
    REDIS_URL: redis.url,
    SESSION_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e!",
    LOG_LEVEL: "warn",
  });

  test.beforeAll(async () => {
    redis = await startRedisServer();
    [instanceA, instanceB] = await Promise.all([startAppServer(env()), startAppServer(env())]);
  });
  test.afterAll(async () => {
    await Promise.all([instanceA?.stop(), instanceB?.stop()]);
    await redis?.stop();
  });

  test("the partner is not shown online, nor typing", async ({ people }) => {
    people.allowConsoleError(
      /ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE|Failed to load resource/,
    );
    const bob = await people.join({ baseURL: instanceA.url });
    const alice = await people.join({ baseURL: instanceB.url });
    const { pathname, hash } = new URL(await createRoomFromLobby(alice));
    await joinRoom(bob, pathname + hash, alice);
    const presence = bob.getByTestId("presence");
    await expect(presence).toHaveAttribute("data-presence", "online");
    await alice.getByRole("textbox", { name: "Message" }).pressSequentially("still writing");
    await expect(bob.getByTestId("typing")).toContainText("is typing");

    await instanceA.stop(0);
    await expect(bob.getByRole("status").filter({ hasText: "Reconnecting…" })).toBeVisible({ timeout: 10_000 });
    await expect(presence).toHaveAttribute("data-presence", "unconfirmed");
    await expect(presence).not.toContainText("online");
    await expect(bob.getByTestId("typing")).toHaveText("");

    instanceA = await startAppServer(env(), instanceA.port);
    await expect(bob.getByRole("status").filter({ hasText: "Reconnecting…" })).toBeHidden({ timeout: 15_000 });
    await expect(presence).toHaveAttribute("data-presence", "online");
  });
});

/**
 * Message times are the server's, so crossing midnight takes a server whose clock is set a little
 * before one and jumps on a signal; the browsers' clocks are set to match. The dates are days
 * ahead of the real ones, so nothing the server dates (cookies) has already expired.
 */
test.describe("a 24-hour room across midnight", () => {
  const DAY_MS = 86_400_000;
  const JUMP_MS = 2 * 60_000;
  const midnight = Math.ceil(Date.now() / DAY_MS) * DAY_MS + 2 * DAY_MS;
  let offset = 0;
  let server: AppServer;

  test.beforeAll(async () => {
    offset = midnight - 90_000 - Date.now();
    const shiftedClock = `
      const RealDate = Date;
      let offset = ${offset};
      globalThis.Date = class extends RealDate {
        constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }
        static now() { return RealDate.now() + offset; }
      };
      process.on("SIGUSR2", () => { offset += ${JUMP_MS}; });`;
    server = await startAppServer({ LOG_LEVEL: "warn" }, undefined, [
      `--import=data:text/javascript,${encodeURIComponent(shiftedClock)}`,
    ]);
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  test("a day separator appears between messages either side of midnight", async ({ people }) => {
    const options = { baseURL: server.url, timezoneId: "UTC", locale: "en-GB" };
    const [alice, bob] = [await people.join(options), await people.join(options)];
    for (const page of [alice, bob]) await page.clock.install({ time: Date.now() + offset });
    await joinRoom(bob, await createRoomFromLobby(alice, "24 hours"), alice);

    await typeAndSend(alice, "before midnight");
    await expect(bob.getByRole("log")).toContainText("before midnight");
    await expect(bob.getByTestId("day-separator")).toHaveText(["Today"]);

    server.signal("SIGUSR2");
    for (const page of [alice, bob]) await page.clock.setSystemTime(Date.now() + offset + JUMP_MS);
    await typeAndSend(alice, "after midnight");
    await expect(bob.getByRole("log").locator("article")).toHaveCount(2);
    // Minutes apart, from the same person, yet on another day: a separator and a header of its own.
    await expect(bob.getByTestId("day-separator")).toHaveText(["Yesterday", "Today"]);
    const heights = await headerHeights(bob);
    expect(heights[1]).toBeGreaterThan(8);
    await expect(bob.getByRole("log").locator("article time").nth(1)).toHaveText(/^0:0\d$/);
  });
});
