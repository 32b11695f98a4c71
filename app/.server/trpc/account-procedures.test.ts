import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { fromBase64Url } from "~/lib/crypto/base64url";
import {
  ACCOUNT_STORE_KINDS,
  makeAccountStore,
  uniqueUsername,
  type AccountStoreFixture,
} from "../../../tests/support/account-stores";
import {
  fakeAuthKey,
  fakeIdentity,
  fakeKdf,
  fakeSignUp,
  FIREFOX_WINDOWS_UA,
  TestBrowser,
} from "../../../tests/support/account-browser";
import { makeServices } from "../../../tests/support/app";
import { makeStorage } from "../../../tests/support/stores";
import { rejection } from "../../../tests/support/trpc-error";
import type { Services } from "../services";
import { SESSION_LIFETIME_MS } from "../accounts/session-tokens";
import { WRONG_USERNAME_OR_PASSWORD } from "./routers/account";

const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(ACCOUNT_STORE_KINDS)("account procedures (%s accounts)", (kind) => {
  let fixture: AccountStoreFixture;
  let services: Services;

  beforeAll(async () => {
    fixture = await makeAccountStore(kind);
    services = makeServices("memory", {}, makeStorage("memory"), fixture.store);
  });
  afterAll(async () => {
    await services?.close();
    await fixture?.close();
  });
  afterEach(() => vi.useRealTimers());

  const browser = (options?: ConstructorParameters<typeof TestBrowser>[1]) => new TestBrowser(services, options);

  /** A new account and the browser that made it (signed in). */
  async function signedUp(name = uniqueUsername("acct")) {
    const input = fakeSignUp(name);
    const owner = browser();
    await owner.call((trpc) => trpc.account.signUp(input));
    return { ...input, owner };
  }

  describe("salt", () => {
    it("serves an account's own parameters", async () => {
      const { username, kdf } = await signedUp();
      expect(await browser().call((trpc) => trpc.account.salt({ username: username.toUpperCase() }))).toEqual({ kdf });
    });

    it("serves an unknown name a salt that is stable and shaped like a real one", async () => {
      const ghost = uniqueUsername("ghost");
      const first = await browser().call((trpc) => trpc.account.salt({ username: ghost }));
      const again = await browser().call((trpc) => trpc.account.salt({ username: ghost.toUpperCase() }));
      const other = await browser().call((trpc) => trpc.account.salt({ username: uniqueUsername("ghost") }));
      const { kdf: real } = await browser().call(async (trpc) =>
        trpc.account.salt({ username: (await signedUp()).username }),
      );
      expect(again).toEqual(first);
      expect(other.kdf.salt).not.toBe(first.kdf.salt);
      expect(Object.keys(first.kdf).sort()).toEqual(Object.keys(real).sort());
      expect(first.kdf.algorithm).toBe(real.algorithm);
      expect(first.kdf.iterations).toBe(real.iterations);
      expect(first.kdf.salt).toMatch(/^[\w-]{22}$/);
      expect(fromBase64Url(first.kdf.salt)).toHaveLength(fromBase64Url(real.salt).length);
    });

    it("refuses a name that breaks the rules, naming the field", async () => {
      const error = await rejection(() => browser().call((trpc) => trpc.account.salt({ username: "no" })));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toMatch(/^username: /);
    });
  });

  describe("signUp", () => {
    it("creates the account under its lowercase name and signs the browser in with an HttpOnly, Lax cookie", async () => {
      const name = uniqueUsername("MiXeD");
      const owner = browser();
      expect(await owner.call((trpc) => trpc.account.signUp(fakeSignUp(name)))).toEqual({
        username: name.toLowerCase(),
      });
      expect(owner.lastSetCookies).toHaveLength(1);
      expect(owner.lastSetCookies[0]).toMatch(
        /^ephemera_session=[\w-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/,
      );
      const me = await owner.call((trpc) => trpc.account.me());
      expect(me).toEqual({ username: name.toLowerCase(), createdAt: expect.any(String) });
      expect(Number.isNaN(Date.parse(me!.createdAt))).toBe(false);
    });

    it("refuses a name taken in another case with CONFLICT, and sets no cookie", async () => {
      const { username } = await signedUp(uniqueUsername("taken"));
      const late = browser();
      const error = await rejection(() => late.call((trpc) => trpc.account.signUp(fakeSignUp(username.toUpperCase()))));
      expect(error.code).toBe("CONFLICT");
      expect(error.message).toBe("username: that name is taken");
      expect(late.cookie).toBeNull();
    });

    it.each([
      [
        "kdf.iterations",
        (input: ReturnType<typeof fakeSignUp>) => ({ ...input, kdf: { ...input.kdf, iterations: 1000 } }),
      ],
      [
        "kdf.algorithm",
        (input: ReturnType<typeof fakeSignUp>) => ({ ...input, kdf: { ...input.kdf, algorithm: "MD5" } }),
      ],
      ["kdf.salt", (input: ReturnType<typeof fakeSignUp>) => ({ ...input, kdf: { ...input.kdf, salt: "c2hvcnQ" } })],
      ["authKey", (input: ReturnType<typeof fakeSignUp>) => ({ ...input, authKey: "x".repeat(42) })],
      ["authKey", (input: ReturnType<typeof fakeSignUp>) => ({ ...input, authKey: "hunter2" })],
      ["username", (input: ReturnType<typeof fakeSignUp>) => ({ ...input, username: "\u212Aelvin" })],
      [
        "identity.keyPairs",
        (input: ReturnType<typeof fakeSignUp>) => ({
          ...input,
          identity: {
            ...input.identity,
            keyPairs: input.identity.keyPairs.filter((pair) => pair.algorithm !== "ECDSA-P-256"),
          },
        }),
      ],
      [
        "identity.keyPairs.1.publicKey",
        (input: ReturnType<typeof fakeSignUp>) => ({
          ...input,
          identity: {
            ...input.identity,
            keyPairs: input.identity.keyPairs.map((pair) =>
              pair.algorithm === "ECDH-P-256" ? { ...pair, publicKey: "AAAA" } : pair,
            ),
          },
        }),
      ],
      [
        "identity.keyPairs.0.wrappedPrivateKey",
        (input: ReturnType<typeof fakeSignUp>) => ({
          ...input,
          identity: {
            ...input.identity,
            keyPairs: input.identity.keyPairs.map((pair) => ({ ...pair, wrappedPrivateKey: "A".repeat(2000) })),
          },
        }),
      ],
    ])("refuses a bad %s with BAD_REQUEST naming it", async (field, spoil) => {
      const input = spoil(fakeSignUp(uniqueUsername("bad"))) as ReturnType<typeof fakeSignUp>;
      const error = await rejection(() => browser().call((trpc) => trpc.account.signUp(input)));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toContain(`${field}: `);
    });
  });

  describe("signIn", () => {
    it("signs a second browser in and hands back the parameters and the identity as they were uploaded", async () => {
      const { username, kdf, authKey, identity } = await signedUp();
      const second = browser({ userAgent: FIREFOX_WINDOWS_UA });
      expect(await second.call((trpc) => trpc.account.signIn({ username: username.toUpperCase(), authKey }))).toEqual({
        username,
        kdf,
        identity,
      });
      expect(second.cookie).toMatch(/^ephemera_session=[\w-]{43}$/);
      expect((await second.call((trpc) => trpc.account.me()))?.username).toBe(username);
    });

    it("answers an unknown name and a wrong password alike, and sets no cookie", async () => {
      const { username } = await signedUp();
      const guesser = browser();
      const wrong = await rejection(() =>
        guesser.call((trpc) => trpc.account.signIn({ username, authKey: fakeAuthKey() })),
      );
      const unknown = await rejection(() =>
        guesser.call((trpc) => trpc.account.signIn({ username: uniqueUsername("ghost"), authKey: fakeAuthKey() })),
      );
      expect([wrong.code, wrong.message]).toEqual(["UNAUTHORIZED", WRONG_USERNAME_OR_PASSWORD]);
      expect([unknown.code, unknown.message]).toEqual([wrong.code, wrong.message]);
      expect(guesser.cookie).toBeNull();
    });

    /**
     * Both cases do one lookup and one argon2id verify with the same parameters (13-17 ms here).
     * Without dummyVerify an unknown name answers in about a millisecond, more than 5 times
     * faster; the medians of interleaved runs are held within a factor of 1.6 of each other,
     * which that mistake cannot meet and scheduling noise on a shared 2-core machine does.
     */
    it("takes about as long for an unknown name as for a wrong password (medians)", async () => {
      const { username } = await signedUp();
      const time = async (name: string) => {
        const started = performance.now();
        await rejection(() =>
          browser().call((trpc) => trpc.account.signIn({ username: name, authKey: fakeAuthKey() })),
        );
        return performance.now() - started;
      };
      const wrong: number[] = [];
      const unknown: number[] = [];
      await time(username);
      for (let round = 0; round < 15; round += 1) {
        wrong.push(await time(username));
        unknown.push(await time(uniqueUsername("ghost")));
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      // Each pair ran back to back, under the same load: the median of their ratios holds still
      // on a busy machine, where the two medians apart drifted past 1.6 either way.
      const ratio = median(unknown.map((took, index) => took / wrong[index]!));
      expect(ratio).toBeGreaterThan(1 / 1.6);
      expect(ratio).toBeLessThan(1.6);
    });
  });

  describe("sessions", () => {
    it("refuses without a session: UNAUTHORIZED, Sign in first", async () => {
      const error = await rejection(() => browser().call((trpc) => trpc.account.sessions()));
      expect([error.code, error.message]).toEqual(["UNAUTHORIZED", "Sign in first"]);
      expect(await browser().call((trpc) => trpc.account.me())).toBeNull();
    });

    it("lists the account's browsers by their summary, the asking one marked, most recently used first", async () => {
      const { username, authKey, owner } = await signedUp();
      const firefox = browser({ userAgent: FIREFOX_WINDOWS_UA });
      const start = Date.now();
      vi.useFakeTimers({ toFake: ["Date"], now: start + 30_000 });
      await firefox.call((trpc) => trpc.account.signIn({ username, authKey }));
      const { sessions } = await owner.call((trpc) => trpc.account.sessions());
      expect(sessions.map(({ browser, current }) => ({ browser, current }))).toEqual([
        { browser: "Firefox on Windows", current: false },
        { browser: "Chrome on Linux", current: true },
      ]);
      // Two minutes on, the owner's call slides its session, which now comes first.
      vi.setSystemTime(start + 150_000);
      const again = await owner.call((trpc) => trpc.account.sessions());
      expect(again.sessions.map(({ browser, current }) => ({ browser, current }))).toEqual([
        { browser: "Chrome on Linux", current: true },
        { browser: "Firefox on Windows", current: false },
      ]);
    });

    it("signs another browser out at once: its next request is UNAUTHORIZED and its cookie is cleared", async () => {
      const { username, authKey, owner } = await signedUp();
      const other = browser({ userAgent: FIREFOX_WINDOWS_UA });
      await other.call((trpc) => trpc.account.signIn({ username, authKey }));
      const { sessions } = await owner.call((trpc) => trpc.account.sessions());
      const target = sessions.find((session) => !session.current)!;
      expect(await owner.call((trpc) => trpc.account.revokeSession({ sessionId: target.id }))).toEqual({ ok: true });
      const error = await rejection(() => other.call((trpc) => trpc.account.sessions()));
      expect([error.code, error.message]).toEqual(["UNAUTHORIZED", "Sign in first"]);
      expect(other.lastSetCookies[0]).toMatch(/^ephemera_session=; Max-Age=0/);
      expect(other.cookie).toBeNull();
      expect((await owner.call((trpc) => trpc.account.sessions())).sessions).toHaveLength(1);
    });

    it("refuses to revoke a session that is not one of the caller's: NOT_FOUND", async () => {
      const alice = await signedUp();
      const bob = await signedUp();
      const [bobsSession] = (await bob.owner.call((trpc) => trpc.account.sessions())).sessions;
      const error = await rejection(() =>
        alice.owner.call((trpc) => trpc.account.revokeSession({ sessionId: bobsSession!.id })),
      );
      expect(error.code).toBe("NOT_FOUND");
      const unknown = await rejection(() =>
        alice.owner.call((trpc) => trpc.account.revokeSession({ sessionId: "00000000-0000-4000-8000-000000000000" })),
      );
      expect(unknown.code).toBe("NOT_FOUND");
      const malformed = await rejection(() =>
        alice.owner.call((trpc) => trpc.account.revokeSession({ sessionId: "x" })),
      );
      expect(malformed.code).toBe("BAD_REQUEST");
      expect(malformed.message).toMatch(/^sessionId: /);
      expect(await bob.owner.call((trpc) => trpc.account.me())).not.toBeNull();
    });

    it("signs out every other browser and keeps this one", async () => {
      const { username, authKey, owner } = await signedUp();
      const others = [browser(), browser({ userAgent: FIREFOX_WINDOWS_UA })];
      for (const other of others) await other.call((trpc) => trpc.account.signIn({ username, authKey }));
      expect(await owner.call((trpc) => trpc.account.revokeOtherSessions())).toEqual({ revoked: 2 });
      for (const other of others) expect(await other.call((trpc) => trpc.account.me())).toBeNull();
      expect((await owner.call((trpc) => trpc.account.me()))?.username).toBe(username);
    });

    it("signOut ends the session and clears the cookie; the old token signs nobody in", async () => {
      const { owner } = await signedUp();
      const token = owner.cookie;
      expect(await owner.call((trpc) => trpc.account.signOut())).toEqual({ ok: true });
      expect(owner.lastSetCookies[0]).toMatch(/^ephemera_session=; Max-Age=0; .*Path=\/; HttpOnly; SameSite=Lax$/);
      expect(owner.cookie).toBeNull();
      const replay = browser();
      replay.cookie = token;
      expect(await replay.call((trpc) => trpc.account.me())).toBeNull();
      // Signed out already: still fine.
      expect(await browser().call((trpc) => trpc.account.signOut())).toEqual({ ok: true });
    });

    it("expires after 30 days without use, slides with use, and writes the last use at most once a minute", async () => {
      const { owner } = await signedUp();
      const start = Date.now();
      vi.useFakeTimers({ toFake: ["Date"], now: start });
      const at = (ms: number) => vi.setSystemTime(start + ms);
      const lastUsed = async () => (await owner.call((trpc) => trpc.account.sessions())).sessions[0]!.lastUsedAt;

      at(30_000);
      const first = await lastUsed();
      expect(owner.lastSetCookies).toEqual([]);
      at(59_000);
      expect(await lastUsed()).toBe(first);
      at(61_000);
      const slid = await lastUsed();
      expect(Date.parse(slid)).toBe(start + 61_000);
      // The cookie is sent again with a full lifetime, so the browser keeps it as long as the session lasts.
      expect(owner.lastSetCookies[0]).toMatch(/^ephemera_session=[\w-]{43}; Max-Age=2592000;/);

      at(61_000 + SESSION_LIFETIME_MS - DAY_MS);
      expect(await owner.call((trpc) => trpc.account.me())).not.toBeNull();
      at(61_000 + 2 * SESSION_LIFETIME_MS - 2 * DAY_MS);
      expect(await owner.call((trpc) => trpc.account.me())).not.toBeNull();
      const keep = owner.cookie;
      at(61_000 + 3 * SESSION_LIFETIME_MS);
      const error = await rejection(() => owner.call((trpc) => trpc.account.sessions()));
      expect(error.code).toBe("UNAUTHORIZED");
      expect(owner.cookie).toBeNull();
      owner.cookie = keep;
      expect(await owner.call((trpc) => trpc.account.me())).toBeNull();
    });
  });

  describe("identity", () => {
    it("hands the wrapped keys to the current auth key only, and only to a signed-in browser", async () => {
      const { authKey, identity, owner } = await signedUp();
      expect(await owner.call((trpc) => trpc.account.identity({ currentAuthKey: authKey }))).toEqual({ identity });
      const wrong = await rejection(() =>
        owner.call((trpc) => trpc.account.identity({ currentAuthKey: fakeAuthKey() })),
      );
      expect([wrong.code, wrong.message]).toEqual(["UNAUTHORIZED", "currentPassword: wrong password"]);
      const stranger = await rejection(() =>
        browser().call((trpc) => trpc.account.identity({ currentAuthKey: authKey })),
      );
      expect([stranger.code, stranger.message]).toEqual(["UNAUTHORIZED", "Sign in first"]);
    });
  });

  describe("changePassword", () => {
    it("takes the new credentials after the current auth key, and signs every other browser out", async () => {
      const { username, authKey, identity, owner } = await signedUp();
      const other = browser();
      await other.call((trpc) => trpc.account.signIn({ username, authKey }));
      const next = { kdf: fakeKdf(), authKey: fakeAuthKey(), identity: rewrapped(identity) };
      expect(await owner.call((trpc) => trpc.account.changePassword({ currentAuthKey: authKey, ...next }))).toEqual({
        ok: true,
        otherSessionsSignedOut: 1,
      });
      expect(await other.call((trpc) => trpc.account.me())).toBeNull();
      expect((await owner.call((trpc) => trpc.account.me()))?.username).toBe(username);
      expect(await browser().call((trpc) => trpc.account.salt({ username }))).toEqual({ kdf: next.kdf });
      const old = await rejection(() => browser().call((trpc) => trpc.account.signIn({ username, authKey })));
      expect(old.message).toBe(WRONG_USERNAME_OR_PASSWORD);
      const signedIn = await browser().call((trpc) => trpc.account.signIn({ username, authKey: next.authKey }));
      expect(signedIn).toEqual({ username, kdf: next.kdf, identity: next.identity });
    });

    it("refuses a wrong current password, new key pairs, and a caller who is not signed in", async () => {
      const { authKey, identity, owner } = await signedUp();
      const wrong = await rejection(() =>
        owner.call((trpc) =>
          trpc.account.changePassword({
            currentAuthKey: fakeAuthKey(),
            kdf: fakeKdf(),
            authKey: fakeAuthKey(),
            identity,
          }),
        ),
      );
      expect([wrong.code, wrong.message]).toEqual(["UNAUTHORIZED", "currentPassword: wrong password"]);
      const swapped = await rejection(() =>
        owner.call((trpc) =>
          trpc.account.changePassword({
            currentAuthKey: authKey,
            kdf: fakeKdf(),
            authKey: fakeAuthKey(),
            identity: fakeIdentity(),
          }),
        ),
      );
      expect(swapped.code).toBe("BAD_REQUEST");
      expect(swapped.message).toMatch(/^identity: /);
      const stranger = await rejection(() =>
        browser().call((trpc) =>
          trpc.account.changePassword({ currentAuthKey: authKey, kdf: fakeKdf(), authKey, identity }),
        ),
      );
      expect(stranger.code).toBe("UNAUTHORIZED");
      // Nothing changed: the old auth key still signs in.
      expect(await owner.call((trpc) => trpc.account.me())).not.toBeNull();
    });
  });

  describe("delete", () => {
    it("refuses unless the username is typed, then removes the account with every session at once", async () => {
      const { username, authKey, owner } = await signedUp();
      const other = browser();
      await other.call((trpc) => trpc.account.signIn({ username, authKey }));
      const accountId = (await fixture.store.findByUsername(username))!.id;

      const typo = await rejection(() => owner.call((trpc) => trpc.account.delete({ username: `${username}x` })));
      expect([typo.code, typo.message]).toEqual(["BAD_REQUEST", "username: type your username to confirm"]);

      expect(await owner.call((trpc) => trpc.account.delete({ username: username.toUpperCase() }))).toEqual({
        ok: true,
      });
      expect(owner.cookie).toBeNull();
      expect(await other.call((trpc) => trpc.account.me())).toBeNull();
      const gone = await rejection(() => browser().call((trpc) => trpc.account.signIn({ username, authKey })));
      expect(gone.message).toBe(WRONG_USERNAME_OR_PASSWORD);
      expect(await fixture.store.getAccount(accountId)).toBeNull();
      if (fixture.pool) {
        const rows = await fixture.pool.query(
          `SELECT (SELECT count(*) FROM accounts WHERE id = $1 OR username = $2)::int AS accounts,
                  (SELECT count(*) FROM sessions WHERE account_id = $1)::int AS sessions,
                  (SELECT count(*) FROM blocks WHERE blocker_id = $1 OR blocked_id = $1)::int AS blocks`,
          [accountId, username],
        );
        expect(rows.rows[0]).toEqual({ accounts: 0, sessions: 0, blocks: 0 });
      }
      // The name is free again.
      await browser().call((trpc) => trpc.account.signUp(fakeSignUp(username)));
    });

    it("refuses a caller who is not signed in", async () => {
      const error = await rejection(() => browser().call((trpc) => trpc.account.delete({ username: "someone" })));
      expect(error.code).toBe("UNAUTHORIZED");
    });
  });

  it("keeps the wrapped keys sealed in the store: no wrapped key is readable there", async () => {
    const { username, identity } = await signedUp();
    const stored = await fixture.store.findByUsername(username);
    const blob = Buffer.from(stored!.sealedIdentity);
    for (const pair of identity.keyPairs) {
      expect(blob.includes(pair.wrappedPrivateKey.slice(0, 16))).toBe(false);
      expect(blob.includes(Buffer.from(fromBase64Url(pair.wrappedPrivateKey)).subarray(0, 16))).toBe(false);
    }
    expect(stored!.publicKeys).toEqual(identity.keyPairs.map(({ algorithm, publicKey }) => ({ algorithm, publicKey })));
  });
});

/** The same pairs with new wrapped private halves, as a password change in the browser makes them. */
function rewrapped(identity: ReturnType<typeof fakeIdentity>) {
  const fresh = fakeIdentity();
  return {
    ...identity,
    keyPairs: identity.keyPairs.map((pair, index) => ({
      ...pair,
      wrappedPrivateKey: fresh.keyPairs[index]!.wrappedPrivateKey,
    })),
  };
}
