import { expect, test } from "./fixtures";
import { acceptName, createRoomThroughApi, KEYED_ROOM_URL } from "./helpers";

function timerSeconds(text: string): number {
  const parts = text.split(":").map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

test("the countdown follows the server's clock and both people leave when it ends", async ({ people, request }) => {
  // Rooms shorter than the lobby's choices, through the same API the lobby uses.
  const { roomId, path } = await createRoomThroughApi(request, 15);
  const alice = await people.join();
  const bob = await people.join();
  await alice.goto(path);
  await bob.goto(path);

  const timer = alice.getByRole("timer");
  await expect(timer).toHaveText(/^00:\d\d$/);
  // Bracket the server's answer between two readings of the display: load on a shared machine
  // moves both. The client's deadline must be within a second of the server's; the display
  // rounds up to whole seconds, which may add up to one more.
  const shownBefore = timerSeconds((await timer.textContent()) ?? "");
  const serverSeconds = await alice.evaluate(async (id) => {
    const input = encodeURIComponent(JSON.stringify({ json: { roomId: id } }));
    const response = await fetch(`/api/trpc/room.ttl?input=${input}`);
    const body = (await response.json()) as { result: { data: { json: { ttlMs: number } } } };
    return body.result.data.json.ttlMs / 1000;
  }, roomId);
  const shownAfter = timerSeconds((await timer.textContent()) ?? "");
  expect(serverSeconds).toBeLessThanOrEqual(shownBefore + 1);
  expect(serverSeconds).toBeGreaterThanOrEqual(shownAfter - 2);

  for (const page of [alice, bob]) {
    await expect(page).toHaveURL(/\/\?expired=true$/, { timeout: 15_000 });
    await expect(page.getByRole("alert")).toContainText("time ran out");
  }
});

test("the lobby explains each way of arriving back", async ({ people }) => {
  const page = await people.join();
  const cases: Array<[string, RegExp]> = [
    ["/?error=room-not-found", /does not exist or has already ended/],
    ["/?error=room-full", /already has two people/],
    ["/?destroyed=true", /destroyed/],
    ["/?expired=true", /time ran out/],
  ];
  for (const [path, sentence] of cases) {
    await page.goto(path);
    await expect(page.getByRole("alert")).toHaveText(sentence);
  }
  await page.goto("/");
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("a third person is sent back to the lobby as room full", async ({ people }) => {
  const [alice, bob, carol] = [await people.join(), await people.join(), await people.join()];
  await alice.goto("/");
  await alice.getByRole("button", { name: "Create room" }).click();
  await expect(alice).toHaveURL(KEYED_ROOM_URL);
  await bob.goto(alice.url());
  await acceptName(bob);
  await carol.goto(alice.url());
  await expect(carol).toHaveURL(/\/\?error=room-full$/);
  await expect(carol.getByRole("alert")).toHaveText(/already has two people/);
});
