import { randomBytes } from "node:crypto";
import type { Page, Request } from "@playwright/test";
import { startAppServer, type AppServer } from "../support/app-server";
import { seriousViolations } from "./axe";
import { expect, test } from "./fixtures";

/** A name no other test (or earlier run against the same server) has taken. */
const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString("hex")}`;
/** Passes the password rules, unlike anything on the common lists. */
const uniquePassword = () => `plum-kettle-${randomBytes(6).toString("hex")}`;

/** Wrong credentials and revoked sessions are answered 401: the browser logs the status, as it should. */
function allowRefusals(people: { allowConsoleError: (pattern: RegExp) => void }) {
  people.allowConsoleError(/status of 401/);
}

async function signUp(page: Page, username: string, password: string) {
  await page.goto("/signup");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Password again").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expectSignedIn(page, username);
}

async function fillSignIn(page: Page, username: string, password: string, next?: string) {
  await page.goto(next ? `/signin?next=${encodeURIComponent(next)}` : "/signin");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signIn(page: Page, username: string, password: string) {
  await fillSignIn(page, username, password);
  await expectSignedIn(page, username);
}

async function expectSignedIn(page: Page, username: string) {
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText(`Signed in as ${username}`);
}

async function expectSignedOut(page: Page) {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Account" });
  await expect(nav.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Sign up" })).toBeVisible();
}

function formAlert(page: Page) {
  return page.getByRole("alert").filter({ hasText: /\S/ });
}

async function expectRefused(page: Page, username: string, password: string) {
  await fillSignIn(page, username, password);
  await expect(formAlert(page)).toHaveText("Wrong username or password.");
  await expect(page).toHaveURL(/\/signin$/);
}

async function changePassword(page: Page, current: string, next: string) {
  await page.goto("/account");
  await page.getByLabel("Current password").fill(current);
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByLabel("New password again").fill(next);
  await page.getByRole("button", { name: "Change password" }).click();
}

function browsersList(page: Page) {
  return page.getByRole("region", { name: "Signed-in browsers" }).getByRole("listitem");
}

test.describe("accounts", () => {
  // Every sign-up and sign-in stretches the password with 600,000 rounds of PBKDF2.
  test.slow();

  test("sign up, sign out, and sign in again from another browser", async ({ people }) => {
    // The taken name is answered 409.
    people.allowConsoleError(/status of 409/);
    const [first, second] = [await people.join(), await people.join()];
    const [username, password] = [uniqueName("ann"), uniquePassword()];

    await signUp(first, username, password);
    await expect(first.getByRole("link", { name: "Account" })).toBeVisible();
    // Anonymous use is untouched: both ways into a chat are still there.
    await expect(first.getByRole("button", { name: "Create room" })).toBeEnabled();
    await expect(first.getByRole("button", { name: "Talk to a stranger" })).toBeEnabled();

    await first.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(first.getByRole("link", { name: "Sign in" })).toBeVisible();
    await expectSignedOut(first);

    await fillSignIn(second, username.toUpperCase(), password);
    await expectSignedIn(second, username);
    // The name is unique without regard to case.
    await first.goto("/signup");
    await first.getByLabel("Username").fill(username.toUpperCase());
    await first.getByLabel("Password", { exact: true }).fill(password);
    await first.getByLabel("Password again").fill(password);
    await first.getByRole("button", { name: "Sign up" }).click();
    await expect(first.locator("#username-error")).toHaveText("That name is taken.");
    await expect(first.getByLabel("Username")).toBeFocused();
    await expect(first.getByLabel("Username")).toHaveAttribute("aria-invalid", "true");
  });

  test("a signed-in visitor skips the sign-in page, and sign-in returns to where it was asked for", async ({
    people,
  }) => {
    const page = await people.join();
    const [username, password] = [uniqueName("next"), uniquePassword()];
    await signUp(page, username, password);
    await page.goto("/signin?next=/account");
    await expect(page).toHaveURL(/\/account$/);
    await page.goto("/signup");
    await expect(page).toHaveURL(/\/$/);

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
    await page.goto("/account");
    await expect(page).toHaveURL(/\/signin\?next=\/account$/);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();

    // Another site's address is no place to send someone after signing in.
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(/\/$/);
    await fillSignIn(page, username, password, "//evil.example/");
    await expectSignedIn(page, username);
  });

  test("a wrong password and an unknown name get the same answer", async ({ people }) => {
    allowRefusals(people);
    const page = await people.join();
    const [username, password] = [uniqueName("wrong"), uniquePassword()];
    await signUp(page, username, password);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

    await expectRefused(page, username, `${password}x`);
    await expectRefused(page, uniqueName("nobody"), password);
    await signIn(page, username, password);
  });

  test("the form says what is wrong beside the field and focuses it, by keyboard alone", async ({ people }) => {
    const page = await people.join();
    await page.goto("/signup");
    await page.getByLabel("Username").focus();
    await page.keyboard.type("ok_name");
    await page.keyboard.press("Tab");
    await page.keyboard.type("password123");
    await page.keyboard.press("Tab");
    await page.keyboard.type("password123");
    await page.keyboard.press("Enter");

    const password = page.getByLabel("Password", { exact: true });
    await expect(password).toBeFocused();
    await expect(password).toHaveAttribute("aria-invalid", "true");
    await expect(password).toHaveAccessibleDescription(/one of the most common ones, which are tried first/);
    await expect(page.locator("#password-error")).toHaveText(
      "This password is one of the most common ones, which are tried first. Choose another.",
    );
    await expect(page).toHaveURL(/\/signup$/);

    await page.getByLabel("Username").fill("a");
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(page.getByLabel("Username")).toBeFocused();
    await expect(page.locator("#username-error")).toHaveText("A username needs at least 3 characters.");
  });

  test("too many wrong passwords: the form says how long to wait", async ({ people }) => {
    allowRefusals(people);
    people.allowConsoleError(/status of 429/);
    const page = await people.join();
    const username = uniqueName("limited");
    await page.goto("/signin");
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password", { exact: true }).fill(uniquePassword());
    const button = page.getByRole("button", { name: "Sign in" });
    await expect
      .poll(
        async () => {
          await button.click();
          await expect(button).toBeEnabled();
          return page.locator("#signin-alert").textContent();
        },
        { timeout: 30_000, intervals: [0] },
      )
      .toMatch(/^Too many attempts, try again in \d+ s\.$/);
  });

  test("signing out another browser from the account page", async ({ people }) => {
    allowRefusals(people);
    const [laptop, phone, tablet] = [await people.join(), await people.join(), await people.join()];
    const [username, password] = [uniqueName("revoke"), uniquePassword()];
    await signUp(laptop, username, password);
    await signIn(phone, username, password);

    await phone.goto("/account");
    await expect(browsersList(phone)).toHaveCount(2);
    await laptop.goto("/account");
    const browsers = browsersList(laptop);
    await expect(browsers).toHaveCount(2);
    await expect(browsers.filter({ hasText: "this browser" })).toHaveCount(1);
    await expect(browsers.filter({ hasText: "this browser" })).toContainText("Chrome on");
    const other = browsers.filter({ hasNotText: "this browser" });
    await expect(other).toContainText(/Last used (just now|\d+ min ago)/);
    await other.getByRole("button", { name: /^Sign out Chrome on/ }).click();
    await expect(browsers).toHaveCount(1);

    // The phone, its account page still open, finds out on its next request.
    await phone.getByRole("button", { name: "Sign out everywhere else" }).click();
    await expect(phone).toHaveURL(/\/signin\?next=\/account$/);
    await phone.goto("/account");
    await expect(phone).toHaveURL(/\/signin\?next=\/account$/);
    await expectSignedOut(phone);

    await signIn(phone, username, password);
    await signIn(tablet, username, password);
    await laptop.reload();
    await expect(browsers).toHaveCount(3);
    await laptop.getByRole("button", { name: "Sign out everywhere else" }).click();
    await expect(laptop.getByRole("status").filter({ hasText: "Signed out" })).toHaveText(
      "Signed out 2 other browsers.",
    );
    await expect(browsers).toHaveCount(1);
    for (const page of [phone, tablet]) await expectSignedOut(page);
    await laptop.goto("/");
    await expectSignedIn(laptop, username);
  });

  test("changing the password: the new one opens the account, the old one no longer does", async ({ people }) => {
    allowRefusals(people);
    const [laptop, phone] = [await people.join(), await people.join()];
    const [username, oldPassword, newPassword] = [uniqueName("change"), uniquePassword(), uniquePassword()];
    await signUp(laptop, username, oldPassword);
    await signIn(phone, username, oldPassword);

    await changePassword(laptop, `${oldPassword}x`, newPassword);
    await expect(laptop.getByLabel("Current password")).toBeFocused();
    await expect(laptop.locator("#current-password-error")).toHaveText("Wrong password.");

    await changePassword(laptop, oldPassword, newPassword);
    await expect(laptop.getByRole("status").filter({ hasText: "Password changed" })).toHaveText(
      "Password changed. 1 other browser was signed out.",
    );
    await expect(browsersList(laptop)).toHaveCount(1);
    await expectSignedOut(phone);

    await laptop.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(laptop).toHaveURL(/\/$/);
    await expectRefused(laptop, username, oldPassword);
    await signIn(laptop, username, newPassword);
    // The keys survived the change: a second change re-wraps what the first one wrapped.
    await changePassword(laptop, newPassword, oldPassword.replace("plum", "pear"));
    await expect(laptop.getByRole("status").filter({ hasText: "Password changed" })).toHaveText("Password changed.");
  });

  test("deleting the account after typing its name", async ({ people }) => {
    allowRefusals(people);
    const page = await people.join();
    const [username, password] = [uniqueName("gone"), uniquePassword()];
    await signUp(page, username, password);
    await page.goto("/account");

    const confirm = page.getByLabel(/Type your username/);
    const remove = page.getByRole("button", { name: "Delete account" });
    await expect(remove).toBeDisabled();
    await confirm.fill(`${username}x`);
    await expect(remove).toBeDisabled();
    await confirm.fill(username);
    await expect(remove).toBeEnabled();
    await remove.click();

    await expect(page).toHaveURL(/\/\?account=deleted$/);
    await expect(page.getByRole("alert")).toHaveText(
      "Your account is deleted. The server holds nothing of it any more.",
    );
    await expectSignedOut(page);
    await expectRefused(page, username, password);
  });

  test("the server never sees the password", async ({ people }) => {
    allowRefusals(people);
    const page = await people.join();
    const sent: string[] = [];
    page.on("request", (request: Request) => {
      sent.push(request.url(), request.postData() ?? "", JSON.stringify(request.headers()));
    });
    const [username, password, newPassword] = [uniqueName("secret"), uniquePassword(), uniquePassword()];

    await signUp(page, username, password);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
    await signIn(page, username, password);
    await changePassword(page, password, newPassword);
    await expect(page.getByRole("status").filter({ hasText: "Password changed" })).toBeVisible();

    const forms = (secret: string) => {
      const bytes = Buffer.from(secret, "utf8");
      return [secret, bytes.toString("base64"), bytes.toString("base64url"), encodeURIComponent(secret)];
    };
    const everything = sent.join("\n");
    // The recording did see the account traffic: the name went out, and so did sealed keys.
    expect(everything).toContain(username);
    expect(everything).toContain("authKey");
    for (const secret of [password, newPassword]) {
      for (const form of forms(secret)) expect(everything).not.toContain(form);
    }
    // Nor does the browser keep the wrapped keys where a thief of the device could guess the
    // password against them offline: only non-extractable keys, in IndexedDB.
    const kept = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(kept).not.toContain("wrappedPrivateKey");
  });
});

test.describe("demo accounts", () => {
  let server: AppServer;
  test.beforeAll(async () => {
    server = await startAppServer({ DEMO_ACCOUNTS: "on", LOG_LEVEL: "warn" });
  });
  test.afterAll(() => server?.stop());
  test.slow();

  test("alice and bob sign in with the documented password, each in their own browser", async ({ people }) => {
    const [alice, bob] = [await people.join({ baseURL: server.url }), await people.join({ baseURL: server.url })];
    // The password the README gives; the server made the accounts as a browser signing up would.
    await signIn(alice, "alice", "correct horse battery staple");
    await signIn(bob, "bob", "correct horse battery staple");
    await alice.goto("/account");
    await expect(browsersList(alice)).toHaveCount(1);
  });
});

test.describe("axe finds no serious or critical problems on the account pages", () => {
  test.slow();

  test("sign-up and sign-in, empty and with errors shown", async ({ people }) => {
    allowRefusals(people);
    const page = await people.join();
    await page.goto("/signup");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(page.getByLabel("Username")).toBeFocused();
    expect(await seriousViolations(page)).toEqual([]);

    await fillSignIn(page, uniqueName("axe"), uniquePassword());
    await expect(formAlert(page)).toHaveText("Wrong username or password.");
    expect(await seriousViolations(page)).toEqual([]);
  });

  test("the account page", async ({ people }) => {
    const page = await people.join();
    await signUp(page, uniqueName("axe"), uniquePassword());
    await page.goto("/account");
    await expect(browsersList(page)).toHaveCount(1);
    expect(await seriousViolations(page)).toEqual([]);
  });
});
