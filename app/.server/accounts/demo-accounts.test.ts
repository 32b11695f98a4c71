import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveAccountKeys } from "~/lib/crypto/account-kdf";
import { unwrapIdentity } from "~/lib/crypto/identity-keys";
import { passwordProblem } from "~/shared/common-passwords";
import { TestBrowser } from "../../../tests/support/account-browser";
import { makeServices } from "../../../tests/support/app";
import type { Services } from "../services";
import { createDemoAccounts, DEMO_PASSWORD, DEMO_USERNAMES } from "./demo-accounts";

describe("demo accounts", () => {
  let services: Services;
  beforeAll(() => {
    services = makeServices("memory");
  });
  afterAll(() => services?.close());

  it("uses a password the sign-up form itself would accept", () => {
    for (const username of DEMO_USERNAMES) expect(passwordProblem(DEMO_PASSWORD, username)).toBeNull();
  });

  it("makes alice and bob as a browser would: the published password signs in and opens their keys", async () => {
    expect(await createDemoAccounts(services.accounts, services.identitySeal)).toEqual(["alice", "bob"]);
    // A second start finds them there and leaves them alone.
    expect(await createDemoAccounts(services.accounts, services.identitySeal)).toEqual([]);
    for (const username of DEMO_USERNAMES) {
      const browser = new TestBrowser(services);
      const { kdf } = await browser.call((trpc) => trpc.account.salt({ username }));
      expect(kdf.iterations).toBe(600_000);
      const keys = await deriveAccountKeys(DEMO_PASSWORD, kdf);
      const signedIn = await browser.call((trpc) => trpc.account.signIn({ username, authKey: keys.authKey }));
      const identity = await unwrapIdentity(signedIn.identity, keys.wrappingKey, username);
      expect(identity.agreement.publicKeys).toMatch(/p256\./);
      expect((await browser.call((trpc) => trpc.account.me()))?.username).toBe(username);
    }
  });
});
