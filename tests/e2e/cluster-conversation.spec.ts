import type { Page } from "@playwright/test";
import { startAppServer, type AppServer } from "../support/app-server";
import { startRedisCluster, type TestRedisCluster } from "../support/redis-cluster";
import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, messageTexts, typeAndSend } from "./helpers";

/**
 * The suite's shared server keeps rooms in memory; this conversation runs on a 3-primary Redis
 * Cluster of its own, with each person on a different app instance, so every event crosses from
 * one process to the other through the room's shard channel.
 */
test.describe("a conversation on a Redis Cluster", () => {
  let cluster: TestRedisCluster;
  let instanceA: AppServer;
  let instanceB: AppServer;

  test.beforeAll(async () => {
    test.setTimeout(60_000);
    cluster = await startRedisCluster(3);
    const env = {
      REDIS_CLUSTER_NODES: cluster.nodes.join(","),
      SESSION_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e!",
      LOG_LEVEL: "warn",
    };
    [instanceA, instanceB] = await Promise.all([startAppServer(env), startAppServer(env)]);
  });
  test.afterAll(async () => {
    await Promise.all([instanceA?.stop(), instanceB?.stop()]);
    await cluster?.stop();
  });

  test("messages both ways, typing and receipts up to Seen, across two instances", async ({ people }) => {
    const alice = await people.join({ baseURL: instanceA.url });
    const bob = await people.join({ baseURL: instanceB.url });
    const { pathname, hash } = new URL(await createRoomFromLobby(alice));
    await joinRoom(bob, pathname + hash, alice);
    await expect(bob.getByTestId("presence")).toHaveAttribute("data-presence", "online");
    await expect(alice.getByTestId("presence")).toHaveAttribute("data-presence", "online");

    await alice.getByRole("textbox", { name: "Message" }).pressSequentially("hello from");
    await expect(bob.getByTestId("typing")).toContainText("is typing");
    await typeAndSend(alice, "hello from instance A");
    await expect(bob.getByRole("log")).toContainText("hello from instance A");
    await expect(bob.getByTestId("typing")).toHaveText("");
    const aliceFirst = alice.getByRole("log").locator("article", { hasText: "hello from instance A" });
    await expect(aliceFirst).toHaveAttribute("data-receipt", "seen");
    await expect(aliceFirst.getByRole("img", { name: "Seen" })).toBeVisible();

    await bob.getByRole("textbox", { name: "Message" }).pressSequentially("and back");
    await expect(alice.getByTestId("typing")).toContainText("is typing");
    await typeAndSend(bob, "and back from instance B");
    await expect(alice.getByRole("log")).toContainText("and back from instance B");
    const bobReply = bob.getByRole("log").locator("article", { hasText: "and back from instance B" });
    await expect(bobReply).toHaveAttribute("data-receipt", "seen");
    await expect(bobReply.getByRole("img", { name: "Seen" })).toBeVisible();

    // A few more each way, in order on both sides.
    const more: Array<[Page, string]> = [
      [alice, "one (0)"],
      [bob, "two (1)"],
      [alice, "three (2)"],
      [bob, "four (3)"],
    ];
    // Each lands before the next is sent: two sends in flight at once from two instances are
    // stored in whichever order they reach Redis, which is not the order they were typed.
    for (const [sender, text] of more) {
      await typeAndSend(sender, text);
      await expect((sender === alice ? bob : alice).getByRole("log")).toContainText(text);
    }
    for (const page of [alice, bob]) {
      await expect(messageTexts(page)).toHaveText([
        "hello from instance A",
        "and back from instance B",
        ...more.map(([, text]) => text),
      ]);
    }
    await expect(alice.getByRole("log").locator("article", { hasText: "three (2)" })).toHaveAttribute(
      "data-receipt",
      "seen",
    );
  });
});
