import { describe, expect, it } from "vitest";
import { fakeSignUp, TestBrowser } from "../../tests/support/account-browser";
import { uniqueUsername } from "../../tests/support/account-stores";
import { accountFromRequest } from "./account-session";
import { getServices } from "./services";

describe("accountFromRequest (Remix loaders)", () => {
  const request = (cookie?: string) =>
    new Request("http://localhost:3000/account", { headers: cookie ? { cookie } : {} });

  it("reads the session cookie the procedures set, and stops at sign-out", async () => {
    const browser = new TestBrowser(getServices());
    const input = fakeSignUp(uniqueUsername("loader"));
    await browser.call((trpc) => trpc.account.signUp(input));
    const cookie = browser.cookie!;
    const found = await accountFromRequest(request(cookie));
    expect(found).toEqual({ username: input.username, sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    await browser.call((trpc) => trpc.account.signOut());
    expect(await accountFromRequest(request(cookie))).toBeNull();
  });

  it("is null without a cookie, or with one that is not a session token", async () => {
    expect(await accountFromRequest(request())).toBeNull();
    expect(await accountFromRequest(request("ephemera_session=not-a-token"))).toBeNull();
    expect(await accountFromRequest(request(`ephemera_session=${"A".repeat(43)}`))).toBeNull();
  });
});
