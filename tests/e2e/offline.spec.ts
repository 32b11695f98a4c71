import { expect, test } from "./fixtures";
import { createRoomFromLobby, joinRoom, messageTexts, typeAndSend } from "./helpers";

test("messages written offline wait, then go out once each, in order", async ({ people }) => {
  // Requests made while offline fail in the browser's own log.
  people.allowConsoleError(/ERR_INTERNET_DISCONNECTED|ERR_NETWORK_CHANGED|ERR_NAME_NOT_RESOLVED/);
  const [alice, bob] = [await people.join(), await people.join()];
  await joinRoom(bob, await createRoomFromLobby(alice), alice);
  await typeAndSend(bob, "still online");
  await expect(alice.getByRole("log")).toContainText("still online");

  await bob.context().setOffline(true);
  await typeAndSend(bob, "offline one");
  await typeAndSend(bob, "offline two");
  const waiting = bob.getByRole("log").locator('article[data-status="queued"]');
  await expect(waiting).toHaveCount(2);
  await expect(waiting.first()).toContainText("Waiting for connection…");
  await expect(bob.getByRole("log").locator('article[data-status="failed"]')).toHaveCount(0);

  await bob.context().setOffline(false);
  const expected = ["still online", "offline one", "offline two"];
  for (const page of [bob, alice]) await expect(messageTexts(page)).toHaveText(expected, { timeout: 15_000 });
  await expect(bob.getByRole("log").locator('article[data-status="sent"]')).toHaveCount(3);
});
