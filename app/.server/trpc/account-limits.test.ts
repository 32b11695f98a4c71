import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeAuthKey, fakeKdf, fakeSignUp, TestBrowser } from "../../../tests/support/account-browser";
import { uniqueUsername } from "../../../tests/support/account-stores";
import { makeServices } from "../../../tests/support/app";
import { rejection } from "../../../tests/support/trpc-error";
import { RateLimitedError } from "../rate-limits";
import type { Services } from "../services";
import { WRONG_USERNAME_OR_PASSWORD } from "./routers/account";

const LIMITED = {
  RATE_LIMITS: "on",
  RATE_LIMIT_SIGN_INS_PER_MINUTE: "2",
  RATE_LIMIT_SIGN_INS_PER_ADDRESS_PER_MINUTE: "6",
  RATE_LIMIT_SIGN_UPS_PER_HOUR: "2",
  RATE_LIMIT_SALT_LOOKUPS_PER_MINUTE: "3",
  RATE_LIMIT_PASSWORD_CHANGES_PER_HOUR: "1",
};

let address = 0;
const newAddress = () => `198.51.100.${(address += 1)}`;

async function limited(call: () => Promise<unknown>) {
  const error = await rejection(call);
  expect(error.code).toBe("TOO_MANY_REQUESTS");
  expect(error.cause).toBeInstanceOf(RateLimitedError);
  return { message: error.message, retryAfterSeconds: (error.cause as RateLimitedError).retryAfterSeconds };
}

describe("account rate limits", () => {
  let services: Services;
  afterEach(async () => {
    vi.useRealTimers();
    await services?.close();
  });

  const browser = (at = newAddress()) => new TestBrowser(services, { address: at });

  it("allows a few sign-ins per username a minute from any address, then a wait that grows", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    services = makeServices("memory", LIMITED);
    const input = fakeSignUp(uniqueUsername("target"));
    await browser().call((trpc) => trpc.account.signUp(input));
    const attempt = () =>
      browser().call((trpc) => trpc.account.signIn({ username: input.username, authKey: fakeAuthKey() }));
    const start = Date.now();
    // Two a minute (each from a new address), for four minutes: then the hourly step (4 × 2) is spent.
    for (let minute = 0; minute < 4; minute += 1) {
      vi.setSystemTime(start + minute * 61_000);
      for (let index = 0; index < 2; index += 1)
        expect((await rejection(attempt)).message).toBe(WRONG_USERNAME_OR_PASSWORD);
      const refused = await limited(attempt);
      expect(refused.message).toMatch(/^Too many sign-in attempts for this username\. Wait and try again in \d+ s\.$/);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    vi.setSystemTime(start + 4 * 61_000);
    const longer = await limited(attempt);
    expect(longer.retryAfterSeconds).toBeGreaterThan(60 * 50);
    // Even the right key waits: the limit is counted before the password is checked.
    await limited(() =>
      browser().call((trpc) => trpc.account.signIn({ username: input.username, authKey: input.authKey })),
    );
  });

  it("says the same for a name with no account as for one with an account", async () => {
    services = makeServices("memory", LIMITED);
    const ghost = uniqueUsername("ghost");
    const attempt = () => browser().call((trpc) => trpc.account.signIn({ username: ghost, authKey: fakeAuthKey() }));
    await rejection(attempt);
    await rejection(attempt);
    expect((await limited(attempt)).message).toMatch(/^Too many sign-in attempts for this username\./);
  });

  it("limits sign-ins per address, whatever the names", async () => {
    services = makeServices("memory", LIMITED);
    const from = newAddress();
    for (let index = 0; index < 6; index += 1) {
      const error = await rejection(() =>
        browser(from).call((trpc) => trpc.account.signIn({ username: uniqueUsername("n"), authKey: fakeAuthKey() })),
      );
      expect(error.code).toBe("UNAUTHORIZED");
    }
    const refused = await limited(() =>
      browser(from).call((trpc) => trpc.account.signIn({ username: uniqueUsername("n"), authKey: fakeAuthKey() })),
    );
    expect(refused.message).toMatch(/^Too many sign-in attempts from your network\./);
  });

  it("limits sign-ups and salt lookups per address", async () => {
    services = makeServices("memory", LIMITED);
    const from = newAddress();
    for (let index = 0; index < 2; index += 1) {
      await browser(from).call((trpc) => trpc.account.signUp(fakeSignUp(uniqueUsername("new"))));
    }
    const signUps = await limited(() =>
      browser(from).call((trpc) => trpc.account.signUp(fakeSignUp(uniqueUsername("new")))),
    );
    expect(signUps.message).toMatch(/^Too many new accounts from your network\./);
    expect(signUps.retryAfterSeconds).toBeGreaterThan(60);
    await browser().call((trpc) => trpc.account.signUp(fakeSignUp(uniqueUsername("elsewhere"))));

    for (let index = 0; index < 3; index += 1) {
      await browser(from).call((trpc) => trpc.account.salt({ username: uniqueUsername("s") }));
    }
    await limited(() => browser(from).call((trpc) => trpc.account.salt({ username: uniqueUsername("s") })));
  });

  it("limits password changes per account", async () => {
    services = makeServices("memory", LIMITED);
    const input = fakeSignUp(uniqueUsername("changer"));
    const owner = browser();
    await owner.call((trpc) => trpc.account.signUp(input));
    const next = { kdf: fakeKdf(), authKey: fakeAuthKey(), identity: input.identity };
    await owner.call((trpc) => trpc.account.changePassword({ currentAuthKey: input.authKey, ...next }));
    // From another address too: the limit is the account's.
    const second = browser();
    await second.call((trpc) => trpc.account.signIn({ username: input.username, authKey: next.authKey }));
    const refused = await limited(() =>
      second.call((trpc) =>
        trpc.account.changePassword({
          currentAuthKey: next.authKey,
          kdf: fakeKdf(),
          authKey: fakeAuthKey(),
          identity: input.identity,
        }),
      ),
    );
    expect(refused.message).toMatch(/^Too many password changes\./);
  });
});
