import type { APIRequestContext } from "@playwright/test";
import { seriousViolations } from "./axe";
import { isWebp, readGps } from "../support/exif-gps";
import { expect, test } from "./fixtures";
import { displayName, expectPaired, expectSearching, pairStrangers, talkToStranger, typeAndSend } from "./helpers";
import { imageDownloads, logImages, photoWithGps } from "./image-fixtures";

// The queue is shared by every test on the server: two of these tests running side by side could
// pair their people with each other. Every test also leaves nobody waiting when it ends.
test.describe.configure({ mode: "serial" });

/** The server's counts right now (what the lobby and the search screen show). */
async function strangerCounts(request: APIRequestContext): Promise<{ waiting: number; online: number }> {
  const response = await request.get("/api/trpc/match.stats");
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { result: { data: { json: { waiting: number; online: number } } } };
  return body.result.data.json;
}

/** How many are waiting in the server's queue right now. */
const waitingInQueue = async (request: APIRequestContext) => (await strangerCounts(request)).waiting;

/** Why two people searching are not paired: the one other person searching is the one they just talked to. */
const LAST_PARTNER_NOTE =
  "The stranger you just talked to is searching too: you won't be matched with your last partner again for 10 minutes after your chat.";

// A searcher left over from one test would be paired with the next test's first person. A closed
// page keeps its place for the grace period (two seconds here), so this waits that long at most.
for (const hook of [test.beforeEach, test.afterEach]) {
  hook(async ({ request }) => {
    await expect
      .poll(() => waitingInQueue(request), { message: "nobody waiting in the queue", timeout: 6_000 })
      .toBe(0);
  });
}

test("two strangers meet in one chat, talk, and never see each other's names", async ({ people }) => {
  const [alice, bob] = [await people.join(), await people.join()];
  await pairStrangers(alice, bob);
  const [aliceName, bobName] = [await displayName(alice), await displayName(bob)];

  for (const page of [alice, bob]) {
    await expect(page.getByRole("button", { name: "Copy link" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Leave room" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Skip", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "End chat" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Report and skip" })).toBeVisible();
  }

  await alice.getByRole("textbox", { name: "Message" }).pressSequentially("hello, stranger", { delay: 30 });
  await expect(bob.getByTestId("typing")).toHaveText("Stranger is typing…");
  await alice.keyboard.press("Enter");
  await typeAndSend(bob, "hi back");
  await expect(alice.getByRole("log")).toContainText("hi back");
  await expect(bob.getByRole("log")).toContainText("hello, stranger");

  const aliceSaid = bob.getByRole("log").locator('article[data-author="partner"]');
  await expect(aliceSaid).toContainText("Stranger");
  await expect(alice.getByRole("log").locator('article[data-author="me"]')).toContainText("You");
  for (const [page, otherName] of [
    [alice, bobName],
    [bob, aliceName],
  ] as const) {
    await expect(page.locator("body")).not.toContainText(otherName);
  }
});

test("strangers' browsers agree a key: the same safety code, sealed traffic, and a reload keeps reading", async ({
  people,
}) => {
  const [alice, bob] = [await people.join(), await people.join()];
  const bodies: string[] = [];
  for (const page of [alice, bob]) {
    page.on("request", (request) => {
      if (/message\.send|room\.typing|room\.publishKeys/.test(request.url())) bodies.push(request.postData() ?? "");
    });
  }
  // Both see "Safety code 123 456", the same digits, and the same key in their fragments.
  await pairStrangers(alice, bob);
  const code = alice.getByTestId("safety-code");
  await expect(code).toHaveAccessibleDescription(
    /^Compare it with the stranger: if you both see the same code, nobody in between can read this chat\.$/,
  );
  const shown = await code.textContent();
  const secret = new URL(alice.url()).hash.slice(1);

  await typeAndSend(alice, "what is the password");
  await typeAndSend(bob, "swordfish, obviously");
  await expect(alice.getByRole("log")).toContainText("swordfish, obviously");
  await expect(bob.getByRole("log")).toContainText("what is the password");
  await expect(bob.getByRole("log").locator('article[data-author="partner"]')).toContainText("Stranger");
  expect(bodies.some((body) => body.includes("publicKeys"))).toBe(true);
  for (const body of bodies) {
    for (const plaintext of ["password", "swordfish", secret]) expect(body).not.toContain(plaintext);
  }

  // A reload takes the key from the fragment: history still opens, new messages too, same code.
  await bob.reload();
  await expect(bob.getByTestId("safety-code")).toHaveText(shown ?? "");
  const bobLog = bob.getByRole("log");
  await expect(bobLog.locator("article")).toHaveCount(2);
  await expect(bobLog).toContainText("what is the password");
  await expect(bobLog).toContainText("swordfish, obviously");
  await expect(bobLog.locator("article[data-undecryptable]")).toHaveCount(0);
  await typeAndSend(bob, "still here after a reload");
  await expect(alice.getByRole("log")).toContainText("still here after a reload");
  await typeAndSend(alice, "and I can still write to you");
  await expect(bobLog).toContainText("and I can still write to you");
  await expect(alice.getByTestId("safety-code")).toHaveText(shown ?? "");

  await alice.getByRole("button", { name: "End chat" }).click();
  await expect(bob).toHaveURL(/\/stranger\?after=left$/);
});

test('strangers share a picture: it arrives decrypted, from "Stranger", without its GPS', async ({
  people,
}, testInfo) => {
  const [alice, bob] = [await people.join(), await people.join()];
  await pairStrangers(alice, bob);
  const downloads = imageDownloads(bob, bob.url());
  await alice.locator("form input[type=file]").setInputFiles((await photoWithGps(alice, testInfo)).path);
  await expect(logImages(bob)).toHaveCount(1);
  await expect(logImages(bob).first()).toHaveAttribute("alt", "Image from Stranger");
  await expect.poll(() => downloads.length).toBe(1);
  const received = await downloads[0]!;
  expect(isWebp(received)).toBe(true);
  expect(readGps(received)).toBeNull();
  await alice.getByRole("button", { name: "End chat" }).click();
  await expect(bob).toHaveURL(/\/stranger\?after=left$/);
});

test("Skip ends the chat for both; the skipper meets someone new, never the one they skipped", async ({ people }) => {
  const [alice, bob, carol] = [await people.join(), await people.join(), await people.join()];
  await pairStrangers(alice, bob);
  const skipped = alice.url();

  await bob.getByRole("button", { name: "Skip", exact: true }).click();
  await expect(alice).toHaveURL(/\/stranger\?after=left$/);
  await expect(alice.getByRole("alert")).toContainText("Stranger left");
  await expect(alice.getByRole("status")).toHaveText("Not searching.");
  await expect(bob).toHaveURL(/\/stranger$/);
  await expectSearching(bob);

  await talkToStranger(carol);
  await expectPaired(bob, carol);
  expect(bob.url()).not.toBe(skipped);
  await expect(alice).toHaveURL(/\/stranger\?after=left$/);

  // "New chat" after the stranger left searches again; Bob is taken, so nothing needs explaining.
  await alice.getByRole("button", { name: "New chat" }).click();
  await expectSearching(alice);
  await expect(alice.getByRole("alert")).toHaveCount(0);
  await expect(alice.getByTestId("search-note")).toHaveText("");
  await alice.getByRole("button", { name: "Cancel" }).click();
  await expect(alice.getByRole("status")).toHaveText("Not searching.");
});

test("two who just talked and both search again are told why they are not paired, until someone new comes", async ({
  people,
}) => {
  const [alice, bob, carol] = [await people.join(), await people.join(), await people.join()];
  await pairStrangers(alice, bob);

  await bob.getByRole("button", { name: "Skip", exact: true }).click();
  await expectSearching(bob);
  // Alone in the queue: there is nothing to explain.
  await expect(bob.getByTestId("search-note")).toHaveText("");
  await expect(alice).toHaveURL(/\/stranger\?after=left$/);
  await alice.getByRole("button", { name: "New chat" }).click();
  await expectSearching(alice);
  for (const page of [alice, bob]) await expect(page.getByTestId("search-note")).toHaveText(LAST_PARTNER_NOTE);

  // Someone new meets Bob, who has waited longest; Alice, alone again, is told nothing.
  await talkToStranger(carol);
  await expectPaired(bob, carol);
  await expectSearching(alice);
  await expect(alice.getByTestId("search-note")).toHaveText("");
  await alice.getByRole("button", { name: "Cancel" }).click();
  await expect(alice.getByRole("status")).toHaveText("Not searching.");
});

test("the lobby counts people with a chat open, and nobody once every page is closed", async ({ people, request }) => {
  const [alice, bob] = [await people.join(), await people.join()];
  await pairStrangers(alice, bob);
  await expect.poll(async () => (await strangerCounts(request)).online, { timeout: 10_000 }).toBe(2);

  // Both close their tabs without ending the chat: it goes on to its timer, but nobody is in it.
  await alice.context().close();
  await bob.context().close();
  await expect
    .poll(async () => (await strangerCounts(request)).online, { message: "nobody online", timeout: 10_000 })
    .toBe(0);
  const lobby = await people.join();
  await lobby.goto("/");
  await expect(lobby.getByTestId("online-count")).toHaveText("0 people online");
});

test("Skip goes straight into a chat with someone already waiting", async ({ people }) => {
  const [alice, bob, carol] = [await people.join(), await people.join(), await people.join()];
  await pairStrangers(alice, bob);
  await talkToStranger(carol);
  await expectSearching(carol);

  await bob.getByRole("button", { name: "Skip", exact: true }).click();
  await expectPaired(bob, carol);
  await expect(alice).toHaveURL(/\/stranger\?after=left$/);
});

test("Report and skip says what it does, then moves on; the two are not paired again", async ({ people }) => {
  const [alice, bob] = [await people.join(), await people.join()];
  await pairStrangers(alice, bob);

  await bob.getByRole("button", { name: "Report and skip" }).click();
  const dialog = bob.getByRole("dialog");
  await expect(dialog).toContainText("Nothing about the conversation is recorded");
  await expect(dialog).toContainText("won’t be matched again today");
  await dialog.getByRole("button", { name: "Report and skip" }).click();

  await expect(alice).toHaveURL(/\/stranger\?after=left$/);
  await expectSearching(bob);
  await alice.getByRole("button", { name: "New chat" }).click();
  // The search answers at once: both still looking means they were not put together. The report,
  // not the ten minutes after a chat, keeps them apart, so that is not what they are told.
  await expectSearching(alice);
  await expectSearching(bob);
  for (const page of [alice, bob]) await expect(page.getByTestId("search-note")).toHaveText("");
  for (const page of [alice, bob]) {
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByRole("status")).toHaveText("Not searching.");
  }
});

test("End chat leaves you idle with a New chat button, and tells the stranger they left", async ({ people }) => {
  const [alice, bob] = [await people.join(), await people.join()];
  await pairStrangers(alice, bob);

  await alice.getByRole("button", { name: "End chat" }).click();
  await expect(alice).toHaveURL(/\/stranger\?after=ended$/);
  await expect(alice.getByRole("alert")).toContainText("You ended the chat.");
  await expect(alice.getByRole("status")).toHaveText("Not searching.");
  await expect(alice.getByRole("button", { name: "New chat" })).toBeEnabled();
  await expect(bob).toHaveURL(/\/stranger\?after=left$/);
  await expect(bob.getByRole("alert")).toContainText("Stranger left");
});

test("a stranger who closes the tab shows as disconnected, and a new chat can start", async ({ people }) => {
  const [alice, bob] = [await people.join(), await people.join()];
  await pairStrangers(alice, bob);
  await bob.context().close();

  // The server's grace period on the test server is two seconds.
  const gone = alice.getByRole("alert");
  await expect(gone).toContainText("Stranger disconnected", { timeout: 10_000 });
  await expect(alice.getByRole("textbox", { name: "Message" })).toHaveCount(0);
  await expect(alice.getByTestId("notice").last()).toHaveText("Stranger left");

  await gone.getByRole("button", { name: "New chat" }).click();
  await expect(alice).toHaveURL(/\/stranger$/);
  await expectSearching(alice);
  await alice.getByRole("button", { name: "Cancel" }).click();
  await expect(alice.getByRole("status")).toHaveText("Not searching.");
});

test("Cancel stops the search; the lobby shows how many people are online", async ({ people }) => {
  const page = await people.join();
  await page.goto("/");
  await expect(page.getByTestId("online-count")).toHaveText(/^\d+ (person|people) online$/);
  await page.getByRole("button", { name: "Talk to a stranger" }).click();
  await expectSearching(page);
  await expect(page.getByTestId("stranger-counts")).toHaveText(/online · \d+ waiting$/);

  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("status")).toHaveText("Not searching.");
  await expect(page.getByRole("button", { name: "New chat" })).toBeEnabled();
  await expect(page.getByRole("button", { name: "Cancel" })).toHaveCount(0);
});

test.describe("axe finds no serious or critical problems", () => {
  test.slow();

  test("while searching, and in a stranger chat with its report dialog", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await talkToStranger(alice);
    await expectSearching(alice);
    expect(await seriousViolations(alice)).toEqual([]);

    await talkToStranger(bob);
    await expectPaired(alice, bob);
    await typeAndSend(alice, "hello");
    await typeAndSend(bob, "hi there");
    await expect(alice.getByRole("log").locator("article")).toHaveCount(2);
    expect(await seriousViolations(alice)).toEqual([]);

    await alice.getByRole("button", { name: "Report and skip" }).click();
    await expect(alice.getByRole("dialog")).toBeVisible();
    expect(await seriousViolations(alice)).toEqual([]);
  });
});
