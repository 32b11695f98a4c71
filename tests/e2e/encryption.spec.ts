import { randomUUID } from "node:crypto";
import type { Page, Request } from "@playwright/test";
import { sealMessage } from "../../app/lib/crypto/message-payload";
import { generateRoomKey } from "../../app/lib/crypto/room-key";
import { expect, test } from "./fixtures";
import {
  acceptName,
  createRoomFromLobby,
  displayName,
  joinRoom,
  KEYED_ROOM_URL,
  roomKeyOf,
  typeAndSend,
} from "./helpers";

/** Everything a page sends, as it goes over the wire: URL without the fragment, headers, body. */
interface Sent {
  url: string;
  headers: string;
  body: string;
}

function recordRequests(page: Page): Sent[] {
  const sent: Sent[] = [];
  page.on("request", (request: Request) => {
    const url = new URL(request.url());
    // Playwright reports a navigation's URL with its fragment; browsers never send that part.
    url.hash = "";
    // Headers as Chromium sent them (cookies included) come with the request's completion.
    void request.allHeaders().then(
      (headers) => sent.push({ url: url.href, headers: JSON.stringify(headers), body: request.postData() ?? "" }),
      () => sent.push({ url: url.href, headers: JSON.stringify(request.headers()), body: request.postData() ?? "" }),
    );
  });
  return sent;
}

const procedure = (sent: Sent, name: string) => new URL(sent.url).pathname.split("/").pop()?.split(",").includes(name);

/** Records which texts the participants counter shows, however briefly. */
async function watchParticipants(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { participantsSeen: string[] }).participantsSeen = seen;
    const counter = document.querySelector('[data-testid="participants"]');
    if (!counter) throw new Error("no participants counter");
    seen.push(counter.textContent ?? "");
    new MutationObserver(() => seen.push(counter.textContent ?? "")).observe(counter, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
  return () => page.evaluate(() => (window as unknown as { participantsSeen: string[] }).participantsSeen);
}

/**
 * What a newcomer whose link cannot open the room is shown: the problem named, a word about the
 * part after the #, no composer and no log, and their seat given back.
 */
async function expectSeatGivenBack(page: Page, heading: string, explanation: string): Promise<void> {
  await expect(page.getByRole("heading", { name: heading })).toBeVisible();
  await expect(page.locator("main")).toContainText(explanation);
  await expect(page.locator("main")).toContainText("Ask the person who sent it for the whole link");
  await expect(page.getByRole("status")).toHaveText(/^We gave your seat back/);
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveCount(0);
  await expect(page.getByRole("log")).toHaveCount(0);
}

test.describe("end-to-end encryption in a private room", () => {
  test("the server never gets the text, the names or the key", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const sent = [...[alice, bob].map(recordRequests)];
    const url = await createRoomFromLobby(alice);
    const secret = new URL(url).hash.slice(1);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await joinRoom(bob, url, alice);
    const [aliceName, bobName] = [await displayName(alice), await displayName(bob)];

    // Typing goes out with the name sealed; the partner still reads it.
    await alice.getByRole("textbox", { name: "Message" }).pressSequentially("meet me at the old mill", { delay: 40 });
    await expect(bob.getByTestId("typing")).toHaveText(`${aliceName} is typing…`);
    await alice.keyboard.press("Enter");
    await bob.getByRole("textbox", { name: "Message" }).pressSequentially("bring the blue folder", { delay: 40 });
    await expect(alice.getByTestId("typing")).toHaveText(`${bobName} is typing…`);
    await bob.keyboard.press("Enter");

    for (const page of [alice, bob]) {
      await expect(page.getByRole("log").locator("article", { hasText: "meet me at the old mill" })).toHaveCount(1);
      await expect(page.getByRole("log").locator("article", { hasText: "bring the blue folder" })).toHaveCount(1);
    }
    await expect(alice.getByTestId("presence")).toHaveText(`${bobName} · online`);
    await expect(bob.getByRole("log").locator('article[data-author="partner"]')).toContainText(aliceName);

    const all = sent.flat();
    const sends = all.filter((request) => procedure(request, "message.send"));
    const typing = all.filter((request) => procedure(request, "room.typing"));
    expect(sends.length).toBeGreaterThanOrEqual(2);
    expect(typing.filter((request) => request.body.includes('"typing":true')).length).toBeGreaterThanOrEqual(2);
    for (const request of [...sends, ...typing]) {
      for (const secretText of ["meet me", "old mill", "blue folder", aliceName, bobName]) {
        expect(request.body, `${new URL(request.url).pathname} carries no plaintext`).not.toContain(secretText);
      }
    }
    for (const request of sends) expect(request.body).toMatch(/"ciphertext":"[\w-]{38,}"/);
    for (const request of all) {
      expect(request.url, "no request URL holds the key").not.toContain(secret);
      expect(request.headers, `no header of ${request.url} holds the key`).not.toContain(secret);
      expect(request.body, `no body of ${request.url} holds the key`).not.toContain(secret);
    }
    expect(all.length).toBeGreaterThan(5);
    // Nor does the browser keep it anywhere but the address bar and memory.
    for (const page of [alice, bob]) {
      const stored = await page.evaluate(() =>
        [localStorage, sessionStorage]
          .flatMap((storage) => Object.keys(storage).map((key) => `${key}=${storage.getItem(key)}`))
          .join("\n"),
      );
      expect(stored, "web storage holds no key").not.toContain(secret);
      expect(await page.evaluate(() => document.cookie), "no readable cookie holds the key").not.toContain(secret);
    }
  });

  test("a message sealed with another key shows as undecryptable, and the next ones still open", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    await joinRoom(bob, await createRoomFromLobby(alice), alice);
    const { roomId } = await roomKeyOf(bob);
    const wrongKey = await generateRoomKey();
    const clientId = randomUUID();
    const ciphertext = await sealMessage(wrongKey.key, roomId, clientId, {
      kind: "text",
      name: "mallory",
      text: "forged",
    });
    const status = await bob.evaluate(
      async (body) =>
        (
          await fetch("/api/trpc/message.send", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          })
        ).status,
      JSON.stringify({ json: { roomId, ciphertext, clientId } }),
    );
    expect(status).toBe(200);
    await typeAndSend(bob, "this one is fine");

    const log = alice.getByRole("log");
    await expect(log.locator("article")).toHaveCount(2);
    const unreadable = log.locator("article[data-undecryptable]");
    await expect(unreadable).toHaveCount(1);
    await expect(unreadable).toContainText("This message could not be decrypted");
    await expect(log).not.toContainText("forged");
    await expect(log).not.toContainText("mallory");
    await expect(log).not.toContainText(ciphertext.slice(0, 20));
    await expect(log.locator("article").nth(1)).toContainText("this one is fine");
  });
});

test.describe("a link without its key", () => {
  test("a newcomer is told, gets no composer, and gives the seat back to the person it was meant for", async ({
    people,
  }) => {
    const [alice, carol, bob] = [await people.join(), await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    await expect(alice.getByTestId("participants")).toHaveText("1/2");
    const participantsSeen = await watchParticipants(alice);

    await carol.goto(new URL(url).pathname);
    await expectSeatGivenBack(carol, "This link is missing its key", "the part of the link after the #");
    await expect(carol.getByRole("link", { name: "Back to the lobby" })).toHaveAttribute("href", "/");

    // Alice saw someone take the seat, then the seat come free again, with no notice about it.
    await expect.poll(participantsSeen).toContain("2/2");
    await expect(alice.getByTestId("participants")).toHaveText("1/2");
    expect((await participantsSeen()).at(-1)).toBe("1/2");
    await expect(alice.getByTestId("notice")).toHaveCount(0);

    // The person with the whole link still gets in, and the two can talk.
    await joinRoom(bob, url, alice);
    await typeAndSend(bob, "got the whole link");
    await expect(alice.getByRole("log")).toContainText("got the whole link");
  });

  test("a member who lost the key keeps their seat, and the whole link brings them back", async ({ people }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    await joinRoom(bob, url, alice);
    await typeAndSend(alice, "before you lost it");
    await expect(bob.getByRole("log")).toContainText("before you lost it");

    await bob.goto(new URL(url).pathname);
    await expect(bob.getByRole("heading", { name: "This link is missing its key" })).toBeVisible();
    await expect(bob.locator("main")).toContainText("open the full link again");
    await expect(bob.getByRole("textbox", { name: "Message" })).toHaveCount(0);
    // The seat is still Bob's: nobody else could take it.
    await expect(alice.getByTestId("participants")).toHaveText("2/2");
    await expect(alice.getByTestId("notice").filter({ hasText: "left the room" })).toHaveCount(0);

    // Only the fragment changes: the page loads the room again by itself.
    await bob.goto(url);
    await expect(bob).toHaveURL(KEYED_ROOM_URL);
    await expect(bob.getByRole("log")).toContainText("before you lost it");
    await typeAndSend(bob, "back again");
    await expect(alice.getByRole("log")).toContainText("back again");
  });
});

test.describe("a link whose key is wrong or damaged", () => {
  /** The room's address with something else after the #. */
  const withFragment = (url: string, fragment: string) => `${new URL(url).pathname}#${fragment}`;

  test("a well-formed key that is not the room's is named wrong before anything is sent, and the seat goes back", async ({
    people,
  }) => {
    const [alice, carol, bob] = [await people.join(), await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    await typeAndSend(alice, "written before anyone came");
    await expect(alice.getByRole("log").locator("article")).toContainText("written before anyone came");
    const sent = recordRequests(carol);

    await carol.goto(withFragment(url, (await generateRoomKey()).secret));
    await expectSeatGivenBack(carol, "This link's key is wrong", "not this room's");
    // Nothing went out but the seat's return: no send, no typing, no receipt, no stream.
    const procedures = () =>
      sent.filter((request) => request.url.includes("/api/trpc/")).map((request) => new URL(request.url).pathname);
    await expect.poll(procedures).toEqual(["/api/trpc/room.leave"]);

    await expect(alice.getByTestId("participants")).toHaveText("1/2");
    await expect(alice.getByTestId("notice")).toHaveCount(0);
    // The person with the right link gets in and reads everything, as if nobody had come before.
    await joinRoom(bob, url, alice);
    await expect(bob.getByRole("log")).toContainText("written before anyone came");
    await typeAndSend(bob, "the right key");
    await expect(alice.getByRole("log")).toContainText("the right key");
    await expect(alice.getByRole("log").locator("article[data-undecryptable]")).toHaveCount(0);
  });

  test("a key cut short is named damaged, not missing, and the seat goes back", async ({ people }) => {
    const [alice, carol, bob] = [await people.join(), await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    const secret = new URL(url).hash.slice(1);

    await carol.goto(withFragment(url, secret.slice(0, 30)));
    await expectSeatGivenBack(carol, "This link's key is damaged", "cut short or altered");
    await expect(alice.getByTestId("participants")).toHaveText("1/2");
    await joinRoom(bob, url, alice);
  });

  test("a '.' after the link, from the end of a sentence, is tolerated: the room opens and works", async ({
    people,
  }) => {
    const [alice, bob] = [await people.join(), await people.join()];
    const url = await createRoomFromLobby(alice);
    await bob.goto(`${url}.`);
    await acceptName(bob);
    await expect(bob.getByTestId("participants")).toHaveText("2/2");
    // The address bar shows the key alone again, so a reload or a copy carries no stray dot.
    await expect(bob).toHaveURL(url);
    await typeAndSend(bob, "the dot did not matter");
    await expect(alice.getByRole("log")).toContainText("the dot did not matter");
    await typeAndSend(alice, "and it opens here too");
    await expect(bob.getByRole("log")).toContainText("and it opens here too");
    await expect(bob.getByRole("log").locator("article[data-undecryptable]")).toHaveCount(0);
  });
});

test("Hide link takes the key out of the address bar; Copy link still copies the whole link", async ({ people }) => {
  const alice = await people.join({ permissions: ["clipboard-read", "clipboard-write"] });
  const bob = await people.join();
  const url = await createRoomFromLobby(alice);
  const { pathname } = new URL(url);

  await alice.getByRole("button", { name: "Hide link" }).click();
  await expect(alice.getByRole("status").filter({ hasText: "Link hidden" })).toContainText(
    "Copy link still works, but reloading this tab can no longer unlock the room",
  );
  await expect(alice).toHaveURL(new RegExp(`${pathname}$`));
  expect(new URL(alice.url()).hash).toBe("");
  await expect(alice.getByRole("button", { name: "Hide link" })).toHaveAttribute("aria-pressed", "true");

  await alice.locator("header").getByRole("button", { name: "Copy link" }).click();
  await expect(alice.getByRole("status").filter({ hasText: "Link copied" })).toBeVisible();
  expect(await alice.evaluate(() => navigator.clipboard.readText())).toBe(url);

  // The room still works in this tab.
  await joinRoom(bob, url, alice);
  await typeAndSend(alice, "still readable here");
  await expect(bob.getByRole("log")).toContainText("still readable here");

  // A reload cannot unlock it any more; the seat stays Alice's.
  await alice.reload();
  await expect(alice.getByRole("heading", { name: "This link is missing its key" })).toBeVisible();
  await expect(alice.locator("main")).toContainText("open the full link again");
  await expect(bob.getByTestId("participants")).toHaveText("2/2");
});
