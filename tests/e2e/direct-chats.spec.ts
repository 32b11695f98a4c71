import { randomBytes } from "node:crypto";
import { devices, request as apiRequest, type Page, type Request } from "@playwright/test";
import { toBase64Url } from "../../app/lib/crypto/base64url";
import { fakeSignUp } from "../support/account-inputs";
import { seriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { messageTexts, SCREENSHOTS_DIR, setVisibility, startHidden, typeAndSend } from "./helpers";

/** A name no other test (or earlier run against the same server) has taken. */
const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString("hex")}`;
/** Passes the password rules, unlike anything on the common lists. */
const uniquePassword = () => `plum-kettle-${randomBytes(6).toString("hex")}`;

interface Person {
  page: Page;
  username: string;
  password: string;
}

/** Signs up in the page's own browser, which then holds the account's keys as a person's would. */
async function signUp(page: Page, prefix: string): Promise<Person> {
  const [username, password] = [uniqueName(prefix), uniquePassword()];
  await page.goto("/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Password again").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expectSignedIn(page, username);
  return { page, username, password };
}

async function signIn(page: Page, username: string, password: string) {
  await page.goto("/signin");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expectSignedIn(page, username);
}

async function expectSignedIn(page: Page, username: string) {
  // Stretching the password takes seconds on a busy machine.
  await expect(page).toHaveURL(/\/$/, { timeout: 20_000 });
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText(`Signed in as ${username}`);
}

/** People signed up at once, each in their own browser. */
async function signUpAll<const T extends readonly string[]>(
  people: { join: () => Promise<Page> },
  prefixes: T,
): Promise<{ [K in keyof T]: Person }> {
  const pages = await Promise.all(prefixes.map(() => people.join()));
  return (await Promise.all(prefixes.map((prefix, index) => signUp(pages[index]!, prefix)))) as {
    [K in keyof T]: Person;
  };
}

/**
 * An account made through the API, with no browser: its agreement key is a real P-256 public key
 * (made here, its private half thrown away), the rest made up, as the server never opens them.
 * Returns a way to delete it again, as its owner would.
 */
async function accountThroughApi(username: string) {
  const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const publicKey = toBase64Url(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
  const input = fakeSignUp(username);
  input.identity.keyPairs = input.identity.keyPairs.map((keyPair) =>
    keyPair.algorithm === "ECDH-P-256" ? { ...keyPair, publicKey } : keyPair,
  );
  const api = await apiRequest.newContext({
    baseURL: process.env.E2E_BASE_URL,
    userAgent: devices["Desktop Chrome"].userAgent,
  });
  const signedUp = await api.post("/api/trpc/account.signUp", { data: { json: input } });
  expect(signedUp.status()).toBe(200);
  return {
    async deleteAccount() {
      const deleted = await api.post("/api/trpc/account.delete", { data: { json: { username } } });
      expect(deleted.status()).toBe(200);
      await api.dispose();
    },
  };
}

/** Opens the chat with `partner` from the chats page's search, as a person would. */
async function findAndOpen(page: Page, partner: string) {
  await page.goto("/chats");
  await page.getByRole("searchbox", { name: "Find someone by username" }).fill(partner.slice(0, 8));
  await page.getByRole("list", { name: "People found" }).getByRole("link", { name: partner }).click();
  await expectChatWith(page, partner);
}

/** Opens the chat by its address. */
async function openChat(page: Page, partner: string) {
  await page.goto(`/chats/${partner}`);
  await expectChatWith(page, partner);
}

async function expectChatWith(page: Page, partner: string) {
  await expect(page).toHaveURL(new RegExp(`/chats/${partner}$`));
  await expect(page.getByTestId("presence")).toContainText(partner);
  await expect(page.getByRole("textbox", { name: "Message" })).toBeEnabled();
}

function chatRow(page: Page, partner: string) {
  return page.getByTestId("chat-row").and(page.locator(`[data-partner="${partner}"]`));
}

/** The partners of the chats page's rows, top first. */
async function rowOrder(page: Page): Promise<string[]> {
  return page.getByTestId("chat-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-partner") ?? ""));
}

/** The chat's safety code as its Chat info panel shows it (the panel is closed again after). */
async function safetyCodeOf(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Chat info" }).click();
  const code = page.getByRole("dialog").getByTestId("safety-code");
  await expect(code).toHaveText(/^\d{3} \d{3}$/);
  const text = (await code.textContent()) ?? "";
  await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  return text;
}

async function chooseTimer(page: Page, label: string) {
  await page.getByRole("combobox", { name: "Disappearing messages" }).selectOption({ label });
}

/** Every request the page makes, as sent: method, URL, headers and body. */
function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on("request", (request) => requests.push(request));
  return requests;
}

test.describe("direct chats", () => {
  // Every sign-up stretches a password with 600,000 rounds of PBKDF2.
  test.slow();

  test("find someone, talk both ways with ticks and typing, compare safety codes, read on a second browser", async ({
    people,
  }) => {
    const [alice, bob] = await signUpAll(people, ["alice", "bob"]);
    const requests: Record<string, Request[]> = { alice: recordRequests(alice.page), bob: recordRequests(bob.page) };

    await findAndOpen(alice.page, bob.username);
    await expect(alice.page.getByRole("log")).toContainText("No messages yet");
    await typeAndSend(alice.page, "hello bob, it's alice");
    const first = alice.page.getByRole("log").locator("article", { hasText: "hello bob, it's alice" });
    // Bob has not opened the chat: the message waits on the server.
    await expect(first).toHaveAttribute("data-receipt", "sent");

    // Bob opens it in a background tab: delivered, not seen, until he looks.
    await startHidden(bob.page);
    await openChat(bob.page, alice.username);
    await expect(messageTexts(bob.page)).toHaveText(["hello bob, it's alice"]);
    await expect(first).toHaveAttribute("data-receipt", "delivered");
    await setVisibility(bob.page, "visible");
    await expect(first).toHaveAttribute("data-receipt", "seen");
    await expect(alice.page.getByTestId("presence")).toHaveText(`${bob.username} · online`);

    await bob.page.getByRole("textbox", { name: "Message" }).pressSequentially("hi ali");
    await expect(alice.page.getByTestId("typing")).toHaveText(`${bob.username} is typing…`);
    await bob.page.getByRole("textbox", { name: "Message" }).fill("hi alice, bob here");
    await bob.page.keyboard.press("Enter");
    await expect(messageTexts(alice.page)).toHaveText(["hello bob, it's alice", "hi alice, bob here"]);
    await expect(alice.page.getByTestId("typing")).toHaveText("");
    const reply = bob.page.getByRole("log").locator("article", { hasText: "hi alice, bob here" });
    await expect(reply).toHaveAttribute("data-receipt", "seen");
    // Each message says how long it has left: the default timer is an hour.
    await expect(first.getByTestId("message-timer")).toHaveText(/^Disappears in (1h|59m)$/);

    const [aliceCode, bobCode] = [await safetyCodeOf(alice.page), await safetyCodeOf(bob.page)];
    expect(aliceCode).toBe(bobCode);

    // Alice's second browser holds no keys until she signs in there; then it reads the chat.
    const elsewhere = await people.join();
    requests.elsewhere = recordRequests(elsewhere);
    await signIn(elsewhere, alice.username, alice.password);
    await elsewhere.goto("/chats");
    await chatRow(elsewhere, bob.username).getByRole("link").click();
    await expectChatWith(elsewhere, bob.username);
    await expect(messageTexts(elsewhere)).toHaveText(["hello bob, it's alice", "hi alice, bob here"]);
    await typeAndSend(elsewhere, "and from my laptop");
    await expect(messageTexts(bob.page)).toHaveText([
      "hello bob, it's alice",
      "hi alice, bob here",
      "and from my laptop",
    ]);
    expect(await safetyCodeOf(elsewhere)).toBe(bobCode);
    expect(await seriousViolations(elsewhere)).toEqual([]);
    // Pictures for the README and for review: the chat, and the list it sits in.
    await expect(elsewhere.locator('[data-status="sending"]')).toHaveCount(0);
    await elsewhere.screenshot({ path: `${SCREENSHOTS_DIR}/chat-desktop.png` });
    await elsewhere.goto("/chats");
    await expect(chatRow(elsewhere, bob.username)).toBeVisible();
    await elsewhere.screenshot({ path: `${SCREENSHOTS_DIR}/chats-desktop.png` });

    // Neither browser let a message's text out, nor a name into a message.
    const texts = ["hello bob, it's alice", "hi alice, bob here", "hi ali", "and from my laptop"];
    const names = [alice.username, bob.username];
    const all = Object.values(requests).flat();
    const sends = all.filter((request) => request.url().includes("/api/trpc/message.send"));
    expect(sends.length).toBe(3);
    for (const request of all) {
      const seen = `${request.method()} ${request.url()}\n${JSON.stringify(await request.allHeaders())}\n${request.postData() ?? ""}`;
      for (const text of texts) expect(seen, "no request carries a message's text").not.toContain(text);
      const url = new URL(request.url());
      const procedure = url.pathname.startsWith("/api/trpc/") ? url.pathname.slice("/api/trpc/".length) : null;
      // A chat's address, finding or opening someone, and signing in name a person: nothing else may.
      const mayName =
        /^\/chats\/[a-z0-9_]+$/.test(url.pathname) ||
        ["chat.search", "chat.open", "account.salt", "account.signIn"].includes(procedure ?? "");
      if (mayName) continue;
      for (const name of names) expect(seen, `${url.pathname} names nobody`).not.toContain(name);
    }
  });

  test("the list counts unread messages, moves the newest chat to the top, and clears on opening", async ({
    people,
  }) => {
    const [alice, bob, carol] = await signUpAll(people, ["alice", "bob", "carol"]);
    await openChat(alice.page, carol.username);
    await openChat(alice.page, bob.username);
    await alice.page.getByRole("link", { name: "All chats" }).click();
    await expect(alice.page).toHaveURL(/\/chats$/);
    await expect.poll(() => rowOrder(alice.page)).toEqual([bob.username, carol.username]);
    await expect(chatRow(alice.page, bob.username).getByTestId("unread-count")).toHaveCount(0);
    expect(await seriousViolations(alice.page)).toEqual([]);

    await openChat(carol.page, alice.username);
    await typeAndSend(carol.page, "are you there?");
    await expect.poll(() => rowOrder(alice.page)).toEqual([carol.username, bob.username]);
    await expect(chatRow(alice.page, carol.username).getByTestId("unread-count")).toHaveText("1 unread");
    await expect(chatRow(alice.page, carol.username).getByTestId("chat-presence")).toHaveText("online");

    await openChat(bob.page, alice.username);
    await typeAndSend(bob.page, "one");
    await typeAndSend(bob.page, "two");
    await expect.poll(() => rowOrder(alice.page)).toEqual([bob.username, carol.username]);
    await expect(chatRow(alice.page, bob.username).getByTestId("unread-count")).toHaveText("2 unread");

    await chatRow(alice.page, bob.username).getByRole("link").click();
    await expectChatWith(alice.page, bob.username);
    await expect(messageTexts(alice.page)).toHaveText(["one", "two"]);
    await alice.page.getByRole("link", { name: "All chats" }).click();
    await expect(chatRow(alice.page, bob.username).getByTestId("unread-count")).toHaveCount(0);
    await expect(chatRow(alice.page, carol.username).getByTestId("unread-count")).toHaveText("1 unread");

    // Carol closes her tab: a moment later she was last seen, not online.
    await expect(chatRow(alice.page, carol.username).getByTestId("chat-presence")).toHaveText("online");
    await carol.page.close();
    await expect(chatRow(alice.page, carol.username).getByTestId("chat-presence")).toHaveText(/^last seen /);
  });

  test("a 10-second timer: both see the change, and a message disappears from both screens", async ({ people }) => {
    const [alice, bob] = await signUpAll(people, ["alice", "bob"]);
    await openChat(alice.page, bob.username);
    await openChat(bob.page, alice.username);

    await chooseTimer(alice.page, "10 seconds");
    await expect(alice.page.getByRole("log")).toContainText(
      `${alice.username} set disappearing messages to 10 seconds`,
    );
    await expect(bob.page.getByRole("log")).toContainText(`${alice.username} set disappearing messages to 10 seconds`);
    await expect(bob.page.getByRole("combobox", { name: "Disappearing messages" })).toHaveValue("10");

    await typeAndSend(alice.page, "gone in ten");
    await expect(messageTexts(bob.page)).toHaveText(["gone in ten"]);
    await expect(alice.page.getByRole("log").locator("article", { hasText: "gone in ten" })).toHaveAttribute(
      "data-receipt",
      "seen",
    );
    await expect(bob.page.getByTestId("message-timer")).toHaveText(/^Disappears in \d+s$/);
    // Ten seconds, and the stream's removal within a second of it.
    for (const page of [alice.page, bob.page]) {
      await expect(page.getByRole("log")).not.toContainText("gone in ten", { timeout: 15_000 });
    }
    // The chat went with its last message, and comes back when someone writes again.
    await typeAndSend(bob.page, "still here");
    await expect(messageTexts(alice.page)).toHaveText(["still here"]);
  });

  test("Clear chat empties both screens; a block refuses sends and keeps the chat shut", async ({ people }) => {
    people.allowConsoleError(/status of 403/);
    const [alice, bob] = await signUpAll(people, ["alice", "bob"]);
    await openChat(alice.page, bob.username);
    await openChat(bob.page, alice.username);
    await typeAndSend(alice.page, "first");
    await typeAndSend(bob.page, "second");
    await expect(messageTexts(alice.page)).toHaveText(["first", "second"]);

    await bob.page.getByRole("button", { name: "Clear chat" }).click();
    await bob.page.getByRole("dialog").getByRole("button", { name: "Clear chat" }).click();
    for (const page of [alice.page, bob.page]) {
      await expect(messageTexts(page)).toHaveCount(0);
      await expect(page.getByRole("log")).toContainText(`${bob.username} cleared the chat`);
    }
    await typeAndSend(alice.page, "after the clear");
    await expect(messageTexts(bob.page)).toHaveText(["after the clear"]);

    await bob.page.getByRole("button", { name: "Block" }).click();
    await bob.page.getByRole("dialog").getByRole("button", { name: "Block" }).click();
    await expect(bob.page.getByRole("status").filter({ hasText: "You blocked" })).toHaveText(
      `You blocked ${alice.username}. Unblock to send messages.`,
    );
    await expect(bob.page.getByRole("textbox", { name: "Message" })).toHaveCount(0);

    // Alice's open chat does not know yet: her next message is refused.
    await typeAndSend(alice.page, "still there?");
    await expect(alice.page.getByRole("log").locator("article", { hasText: "still there?" })).toContainText(
      "You can't message this person",
    );
    await expect(bob.page.getByRole("log")).not.toContainText("still there?");

    await alice.page.goto(`/chats/${bob.username}`);
    await expect(alice.page.getByRole("heading", { name: "This chat could not be opened" })).toBeVisible();
    await expect(alice.page.getByRole("alert")).toHaveText("You can't message this person");

    await bob.page.getByRole("button", { name: "Unblock" }).click();
    await bob.page.getByRole("dialog").getByRole("button", { name: "Unblock" }).click();
    await expect(bob.page.getByRole("textbox", { name: "Message" })).toBeEnabled();
    await openChat(alice.page, bob.username);
    await typeAndSend(alice.page, "friends again");
    await expect(messageTexts(bob.page)).toHaveText(["after the clear", "friends again"]);
  });

  test("when a name comes back with other keys, the chat warns before anything is sent", async ({ people }) => {
    const alice = await signUp(await people.join(), "alice");
    const bobName = uniqueName("bob");
    const bob = await accountThroughApi(bobName);
    await openChat(alice.page, bobName);
    const before = await safetyCodeOf(alice.page);

    // Bob's account goes and someone takes the name again: the server now hands out other keys
    // for that name, as it would if it swapped them itself.
    await bob.deleteAccount();
    people.allowConsoleError(/status of 404/);
    await alice.page.reload();
    await expect(alice.page.getByRole("alert")).toHaveText(`No account is called ${bobName}`);
    await accountThroughApi(bobName);

    await alice.page.reload();
    const warning = alice.page.getByRole("alert", { name: "Keys changed" });
    await expect(warning).toContainText(`${bobName}’s keys have changed`);
    await expect(alice.page.getByRole("textbox", { name: "Message" })).toHaveCount(0);
    const after = await safetyCodeOf(alice.page);
    expect(after).not.toBe(before);
    await expect(warning).toContainText(after);

    await warning.getByRole("button", { name: "I compared the safety code" }).click();
    await expect(warning).toBeHidden();
    await typeAndSend(alice.page, "is that really you?");
    await expect(alice.page.getByRole("log").locator("article", { hasText: "is that really you?" })).toHaveAttribute(
      "data-receipt",
      "sent",
    );
    // Accepted once, remembered: a reload does not warn again.
    await alice.page.reload();
    await expect(alice.page.getByRole("textbox", { name: "Message" })).toBeEnabled();
    await expect(warning).toHaveCount(0);
  });
});
