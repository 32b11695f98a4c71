import { startAppServer, type AppServer } from "../support/app-server";
import { startRedisServer, type TestRedis } from "../support/redis-server";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, typeAndSend } from "./helpers";

/**
 * A dropped stream, the way it happens in production: Alice's instance dies while Bob, on another
 * instance of the same Redis, keeps talking. When hers comes back, the missed messages arrive once
 * each and the banner clears.
 */
test.describe("reconnecting after the stream drops", () => {
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

  test("shows Reconnecting…, then delivers what was missed exactly once", async ({ people }) => {
    // The stream's connection is cut and refused while the instance is down.
    people.allowConsoleError(
      /ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE|Failed to load resource/,
    );
    const alice = await people.join({ baseURL: instanceA.url });
    const bob = await people.join({ baseURL: instanceB.url });

    // Another instance: the same path and key, on Bob's own origin.
    const { pathname, hash } = new URL(await createRoomFromLobby(alice));
    await joinRoom(bob, pathname + hash, alice);
    await typeAndSend(bob, "before the drop");
    await expect(alice.getByRole("log")).toContainText("before the drop");

    await instanceA.stop(0);
    await expect(alice.getByRole("status").filter({ hasText: "Reconnecting…" })).toBeVisible({ timeout: 10_000 });

    await typeAndSend(bob, "missed one");
    await typeAndSend(bob, "missed two");
    await expect(bob.locator('[data-status="sent"]')).toHaveCount(3);

    instanceA = await startAppServer(env(), instanceA.port);
    const log = alice.getByRole("log");
    await expect(log).toContainText("missed two", { timeout: 15_000 });
    await expect(alice.getByRole("status").filter({ hasText: "Reconnecting…" })).toBeHidden();
    for (const text of ["before the drop", "missed one", "missed two"]) {
      await expect(log.locator("article", { hasText: text })).toHaveCount(1);
    }
    await expect(log.locator("article")).toHaveCount(3);

    await typeAndSend(alice, "back again");
    await expect(bob.getByRole("log")).toContainText("back again");
  });
});
