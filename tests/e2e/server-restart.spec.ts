import { startAppServer, type AppServer } from "../support/app-server";
import { startRedisServer, type TestRedis } from "../support/redis-server";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, messageTexts, typeAndSend } from "./helpers";

/**
 * The only instance dies mid-conversation (SIGKILL: no drain) and comes back on the same Redis.
 * Whatever was on its way, was written while it was down, or was stored but never answered
 * arrives once, in each sender's order.
 */
test.describe("the server restarts mid-conversation", () => {
  let redis: TestRedis;
  let server: AppServer;
  const env = () => ({
    REDIS_URL: redis.url,
    SESSION_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e!",
    LOG_LEVEL: "warn",
    PRESENCE_GRACE_MS: "2000",
  });

  test.beforeAll(async () => {
    redis = await startRedisServer();
    server = await startAppServer(env());
  });
  test.afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  test("loses nothing and doubles nothing, including a message sent while it was down", async ({ people }) => {
    people.allowConsoleError(
      /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE|Failed to load resource/,
    );
    const alice = await people.join({ baseURL: server.url });
    const bob = await people.join({ baseURL: server.url });
    await joinRoom(bob, await createRoomFromLobby(alice), alice);

    await typeAndSend(alice, "one");
    await expect(bob.getByRole("log")).toContainText("one");
    await typeAndSend(bob, "two");
    await expect(alice.getByRole("log")).toContainText("two");

    // Sent as the process dies: stored or not, it must end up there exactly once.
    await typeAndSend(alice, "three, as it crashes");
    await server.kill();
    for (const page of [alice, bob]) {
      await expect(page.getByRole("status").filter({ hasText: "Reconnecting…" })).toBeVisible({ timeout: 10_000 });
    }
    await typeAndSend(bob, "four, while it is down");
    const bobWaiting = bob.getByRole("log").locator('article[data-status="queued"]', { hasText: "four" });
    await expect(bobWaiting).toContainText("Waiting for connection…");

    server = await startAppServer(env(), server.port);
    for (const page of [alice, bob]) {
      await expect(page.getByRole("status").filter({ hasText: "Reconnecting…" })).toBeHidden({ timeout: 15_000 });
    }
    await typeAndSend(alice, "five, after the restart");

    const all = ["one", "two", "three, as it crashes", "four, while it is down", "five, after the restart"];
    for (const page of [alice, bob]) {
      const log = page.getByRole("log");
      await expect(log.locator("article")).toHaveCount(all.length, { timeout: 15_000 });
      for (const text of all) await expect(log.locator("article", { hasText: text })).toHaveCount(1);
      await expect(log.locator('article[data-status="sent"]')).toHaveCount(all.length);
      // Each sender's own messages keep their order.
      const texts = await messageTexts(page).allTextContents();
      expect(texts.indexOf("one")).toBeLessThan(texts.indexOf("three, as it crashes"));
      expect(texts.indexOf("three, as it crashes")).toBeLessThan(texts.indexOf("five, after the restart"));
      expect(texts.slice(0, 2)).toEqual(["one", "two"]);
    }
  });
});
