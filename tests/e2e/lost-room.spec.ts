import { Redis } from "ioredis";
import { startAppServer, type AppServer } from "../support/app-server";
import { startRedisServer, type TestRedis } from "../support/redis-server";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom } from "./helpers";

/**
 * A room can vanish with nobody ending it: its Redis restarted empty, was flushed, or evicted it
 * at maxmemory. Both people are told the truth: the server lost it, nobody destroyed it.
 */
test.describe("a room the server loses", () => {
  let redis: TestRedis;
  let server: AppServer;

  test.beforeAll(async () => {
    redis = await startRedisServer();
    server = await startAppServer({
      REDIS_URL: redis.url,
      SESSION_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e!",
      LOG_LEVEL: "warn",
    });
  });
  test.afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  test("sends both people to the lobby, which says the server lost it", async ({ people }) => {
    const alice = await people.join({ baseURL: server.url });
    const bob = await people.join({ baseURL: server.url });
    await joinRoom(bob, await createRoomFromLobby(alice), alice);

    const admin = new Redis(redis.url);
    try {
      await admin.flushall();
    } finally {
      await admin.quit();
    }
    for (const page of [alice, bob]) {
      await expect(page).toHaveURL(/\/\?error=room-lost$/, { timeout: 15_000 });
      await expect(page.getByRole("alert")).toHaveText(
        "The server lost this room before its time was up; nobody destroyed it. Every message in it is gone.",
      );
    }
  });
});
