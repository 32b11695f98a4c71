import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT_STORE_KINDS,
  fakeAccount,
  fakeCredentials,
  makeAccountStore,
  uniqueUsername,
  type AccountStoreFixture,
} from "../../../tests/support/account-stores";
import { newSessionToken } from "./session-tokens";
import type { Account, AccountStore } from "./types";

const T0 = new Date("2030-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const MINUTE = 60_000;
const DAY = 86_400_000;

/** One contract, two implementations: the in-memory store must behave exactly like PostgreSQL. */
describe.each(ACCOUNT_STORE_KINDS)("AccountStore contract (%s)", (kind) => {
  let fixture: AccountStoreFixture;
  let store: AccountStore;
  beforeAll(async () => {
    fixture = await makeAccountStore(kind);
    store = fixture.store;
  });
  afterAll(() => fixture.close());

  async function createAccount(username = uniqueUsername()): Promise<Account> {
    const outcome = await store.createAccount(fakeAccount(username), T0);
    if (outcome.status !== "created") throw new Error(`${username} was taken`);
    return outcome.account;
  }

  async function signIn(accountId: string, now = T0, lifetimeMs = 30 * DAY) {
    const token = newSessionToken();
    const session = await store.createSession({
      accountId,
      tokenHash: token.hash,
      userAgent: "Firefox on Linux",
      now,
      expiresAt: new Date(now.getTime() + lifetimeMs),
    });
    return { ...token, session };
  }

  describe("accounts", () => {
    it("stores an account under its lowercase name and gives every field back as it was", async () => {
      const username = uniqueUsername("MiXeD");
      const input = fakeAccount(username);
      const outcome = await store.createAccount(input, T0);
      expect(outcome).toEqual({
        status: "created",
        account: {
          id: expect.any(String),
          username: username.toLowerCase(),
          publicKeys: input.publicKeys,
          createdAt: T0,
        },
      });
      if (outcome.status !== "created") return;
      const found = await store.findByUsername(username.toUpperCase());
      expect(found).toEqual({
        ...outcome.account,
        kdf: input.kdf,
        salt: input.salt,
        verifier: input.verifier,
        sealedIdentity: input.sealedIdentity,
      });
      expect(await store.getAccount(outcome.account.id)).toEqual(outcome.account);
    });

    it("refuses a name taken in another case, as an answer rather than an error", async () => {
      const username = uniqueUsername("alice");
      const first = await createAccount(username);
      expect(await store.createAccount(fakeAccount(username.toUpperCase()), T0)).toEqual({ status: "username-taken" });
      const capitalised = username[0]!.toUpperCase() + username.slice(1);
      expect(await store.createAccount(fakeAccount(capitalised), T0)).toEqual({ status: "username-taken" });
      // The first account is untouched.
      expect((await store.findByUsername(username))?.id).toBe(first.id);
    });

    it("lets exactly one of several simultaneous sign-ups have a name", async () => {
      const username = uniqueUsername("race");
      const outcomes = await Promise.all(
        [username, username.toUpperCase(), username, username.toUpperCase()].map((name) =>
          store.createAccount(fakeAccount(name), T0),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === "created")).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.status === "username-taken")).toHaveLength(3);
    });

    it("finds nobody for an unknown name, an invalid name or an unknown id", async () => {
      expect(await store.findByUsername(uniqueUsername("ghost"))).toBeNull();
      expect(await store.findByUsername("no")).toBeNull();
      expect(await store.findByUsername("drop table accounts;")).toBeNull();
      expect(await store.getAccount(randomUUID())).toBeNull();
      expect(await store.getAccount("not-a-uuid")).toBeNull();
    });

    it("finds names by their start, in name order, at most as many as asked, and never a pattern", async () => {
      // Unique to this run: the PostgreSQL database is shared by every test of the suite.
      const stem = uniqueUsername("find").slice(0, 18);
      const names = [`${stem}_b`, `${stem}_a`, `${stem}_c`, `${stem}x`];
      for (const name of names) await createAccount(name);
      expect(await store.searchUsernames(stem, 10)).toEqual([`${stem}_a`, `${stem}_b`, `${stem}_c`, `${stem}x`]);
      expect(await store.searchUsernames(`${stem}_`, 2)).toEqual([`${stem}_a`, `${stem}_b`]);
      expect(await store.searchUsernames(`${stem}_a`, 10)).toEqual([`${stem}_a`]);
      // '_' and '%' are LIKE's wildcards; upper case and other characters are no stored name's start.
      expect(await store.searchUsernames(`${stem}%`, 10)).toEqual([]);
      expect(await store.searchUsernames(stem.toUpperCase(), 10)).toEqual([]);
      expect(await store.searchUsernames("", 10)).toEqual([]);
      expect(await store.searchUsernames(stem, 0)).toEqual([]);
    });

    it("reads several accounts' names at once, leaving out ids it does not know", async () => {
      const [first, second] = [await createAccount(), await createAccount()];
      const found = await store.usernamesOf([second.id, randomUUID(), "not-a-uuid", first.id]);
      expect(found).toEqual(
        new Map([
          [second.id, second.username],
          [first.id, first.username],
        ]),
      );
      expect(await store.usernamesOf([])).toEqual(new Map());
    });

    it("refuses to store a name that fails the username rules", async () => {
      await expect(store.createAccount(fakeAccount("x"), T0)).rejects.toThrow(RangeError);
      await expect(store.createAccount(fakeAccount("\u212Aelvin"), T0)).rejects.toThrow(RangeError);
    });

    it("changes the password's credentials and ends every other session in one step", async () => {
      const account = await createAccount();
      const [kept, other] = [await signIn(account.id), await signIn(account.id)];
      const next = fakeCredentials();
      next.kdf.iterations = 700_000;
      expect(await store.changeCredentials(account.id, next, kept.session.id)).toBe(1);
      expect(await store.findByUsername(account.username)).toEqual({ ...account, ...next });
      expect(await store.findSession(kept.hash, T0)).not.toBeNull();
      expect(await store.findSession(other.hash, T0)).toBeNull();
      expect(await store.changeCredentials(randomUUID(), fakeCredentials(), kept.session.id)).toBeNull();
    });

    it("hands out copies: changing an answer changes nothing stored", async () => {
      const account = await createAccount();
      const found = await store.findByUsername(account.username);
      found!.salt.fill(0);
      found!.sealedIdentity.fill(0);
      const original = found!.publicKeys[0]!.publicKey;
      found!.publicKeys[0]!.publicKey = "changed";
      found!.publicKeys.pop();
      const again = await store.findByUsername(account.username);
      expect(again!.salt.some((byte) => byte !== 0)).toBe(true);
      expect(again!.sealedIdentity.some((byte) => byte !== 0)).toBe(true);
      expect(again!.publicKeys[0]!.publicKey).toBe(original);
      expect(again!.publicKeys).toHaveLength(2);
    });
  });

  describe("sessions", () => {
    it("finds a session by its token's hash only, with what it was created with", async () => {
      const account = await createAccount();
      const { hash, session } = await signIn(account.id);
      expect(session).toEqual({
        id: expect.any(String),
        accountId: account.id,
        userAgent: "Firefox on Linux",
        createdAt: T0,
        lastUsedAt: T0,
        expiresAt: at(30 * DAY),
      });
      expect(await store.findSession(hash, at(MINUTE))).toEqual(session);
      expect(await store.findSession(newSessionToken().hash, at(MINUTE))).toBeNull();
    });

    it("refuses a session from the moment it expires", async () => {
      const account = await createAccount();
      const { hash } = await signIn(account.id, T0, DAY);
      expect(await store.findSession(hash, at(DAY - 1))).not.toBeNull();
      expect(await store.findSession(hash, at(DAY))).toBeNull();
      expect(await store.listSessions(account.id, at(DAY))).toEqual([]);
    });

    it("slides the expiry with each use, and an expired session cannot be revived", async () => {
      const account = await createAccount();
      const { hash } = await signIn(account.id, T0, 30 * DAY);
      expect(await store.touchSession(hash, at(20 * DAY), at(50 * DAY))).toBe(true);
      const slid = await store.findSession(hash, at(40 * DAY));
      expect(slid).toMatchObject({ lastUsedAt: at(20 * DAY), expiresAt: at(50 * DAY), createdAt: T0 });
      expect(await store.touchSession(hash, at(50 * DAY), at(80 * DAY))).toBe(false);
      expect(await store.findSession(hash, at(50 * DAY))).toBeNull();
      expect(await store.touchSession(newSessionToken().hash, T0, at(DAY))).toBe(false);
    });

    it("lists an account's live sessions, most recently used first, and nobody else's", async () => {
      const account = await createAccount();
      const other = await createAccount();
      const older = await signIn(account.id, T0);
      const newer = await signIn(account.id, at(MINUTE));
      await signIn(account.id, T0, MINUTE); // expires before the listing
      await signIn(other.id, T0);
      const listed = await store.listSessions(account.id, at(2 * MINUTE));
      expect(listed.map((session) => session.id)).toEqual([newer.session.id, older.session.id]);
      await store.touchSession(older.hash, at(3 * MINUTE), at(30 * DAY));
      const relisted = await store.listSessions(account.id, at(4 * MINUTE));
      expect(relisted.map((session) => session.id)).toEqual([older.session.id, newer.session.id]);
      expect(await store.listSessions(randomUUID(), T0)).toEqual([]);
    });

    it("revokes one of the account's own sessions, and no one else's", async () => {
      const account = await createAccount();
      const intruder = await createAccount();
      const { hash, session } = await signIn(account.id);
      expect(await store.revokeSession(intruder.id, session.id)).toBe(false);
      expect(await store.findSession(hash, T0)).not.toBeNull();
      expect(await store.revokeSession(account.id, session.id)).toBe(true);
      expect(await store.findSession(hash, T0)).toBeNull();
      expect(await store.touchSession(hash, T0, at(DAY))).toBe(false);
      expect(await store.revokeSession(account.id, session.id)).toBe(false);
      expect(await store.revokeSession(account.id, "not-a-uuid")).toBe(false);
    });

    it("signs out everywhere else: every other session of the account ends, this one stays", async () => {
      const account = await createAccount();
      const other = await createAccount();
      const here = await signIn(account.id);
      const elsewhere = [await signIn(account.id), await signIn(account.id)];
      const someoneElse = await signIn(other.id);
      expect(await store.revokeOtherSessions(account.id, here.session.id)).toBe(2);
      expect(await store.findSession(here.hash, T0)).not.toBeNull();
      for (const { hash } of elsewhere) expect(await store.findSession(hash, T0)).toBeNull();
      expect(await store.findSession(someoneElse.hash, T0)).not.toBeNull();
      expect(await store.revokeOtherSessions(account.id, here.session.id)).toBe(0);
    });

    it("clears out expired sessions and keeps live ones", async () => {
      const account = await createAccount();
      const live = await signIn(account.id, T0, 1000 * DAY);
      const expired = await signIn(account.id, T0, MINUTE);
      // Other tests' sessions expire within 30 days of T0; this moment is past all of them.
      const deleted = await store.deleteExpiredSessions(at(500 * DAY));
      expect(deleted).toBeGreaterThanOrEqual(1);
      expect(await store.findSession(live.hash, at(500 * DAY))).not.toBeNull();
      expect(await store.touchSession(expired.hash, T0, at(DAY))).toBe(false);
      expect(await store.deleteExpiredSessions(at(500 * DAY))).toBe(0);
    });
  });

  describe("blocks", () => {
    it("blocks one way, once, and only between two accounts that exist", async () => {
      const alice = await createAccount();
      const bob = await createAccount();
      expect(await store.block(alice.id, bob.id, T0)).toBe("blocked");
      expect(await store.block(alice.id, bob.id, at(MINUTE))).toBe("already-blocked");
      expect(await store.isBlocked(alice.id, bob.id)).toBe(true);
      expect(await store.isBlocked(bob.id, alice.id)).toBe(false);
      expect(await store.block(alice.id, alice.id, T0)).toBe("self");
      expect(await store.block(alice.id, randomUUID(), T0)).toBe("no-such-account");
      expect(await store.block(randomUUID(), bob.id, T0)).toBe("no-such-account");
      expect(await store.block(alice.id, "not-a-uuid", T0)).toBe("no-such-account");
    });

    it("lists whom an account blocked, most recent first, and unblocks", async () => {
      const alice = await createAccount();
      const bob = await createAccount();
      const carol = await createAccount();
      await store.block(alice.id, bob.id, T0);
      await store.block(alice.id, carol.id, at(MINUTE));
      await store.block(bob.id, carol.id, T0);
      expect(await store.listBlocked(alice.id)).toEqual([
        { accountId: carol.id, username: carol.username, blockedAt: at(MINUTE) },
        { accountId: bob.id, username: bob.username, blockedAt: T0 },
      ]);
      expect(await store.unblock(alice.id, bob.id)).toBe(true);
      expect(await store.unblock(alice.id, bob.id)).toBe(false);
      expect(await store.isBlocked(alice.id, bob.id)).toBe(false);
      expect((await store.listBlocked(alice.id)).map((entry) => entry.accountId)).toEqual([carol.id]);
      expect(await store.isBlocked(bob.id, carol.id)).toBe(true);
    });
  });

  describe("deleting an account", () => {
    it("removes the account, its sessions and every block it is part of, at once", async () => {
      const doomed = await createAccount();
      const friend = await createAccount();
      const sessions = [await signIn(doomed.id), await signIn(doomed.id)];
      const friendSession = await signIn(friend.id);
      await store.block(doomed.id, friend.id, T0);
      await store.block(friend.id, doomed.id, T0);

      expect(await store.deleteAccount(doomed.id)).toBe(true);

      expect(await store.getAccount(doomed.id)).toBeNull();
      expect(await store.findByUsername(doomed.username)).toBeNull();
      for (const { hash } of sessions) expect(await store.findSession(hash, T0)).toBeNull();
      expect(await store.listSessions(doomed.id, T0)).toEqual([]);
      expect(await store.listBlocked(doomed.id)).toEqual([]);
      expect(await store.listBlocked(friend.id)).toEqual([]);
      expect(await store.isBlocked(friend.id, doomed.id)).toBe(false);
      // Everyone else is untouched.
      expect(await store.findSession(friendSession.hash, T0)).not.toBeNull();
      expect(await store.deleteAccount(doomed.id)).toBe(false);

      if (fixture.pool) {
        // Straight from the tables: no row anywhere still names the account.
        const { rows } = await fixture.pool.query<{ accounts: number; sessions: number; blocks: number }>(
          `SELECT (SELECT count(*)::int FROM accounts WHERE id = $1 OR username = $2) AS accounts,
                  (SELECT count(*)::int FROM sessions WHERE account_id = $1) AS sessions,
                  (SELECT count(*)::int FROM blocks WHERE blocker_id = $1 OR blocked_id = $1) AS blocks`,
          [doomed.id, doomed.username],
        );
        expect(rows[0]).toEqual({ accounts: 0, sessions: 0, blocks: 0 });
      }
    });

    it("frees the name for someone new, who inherits nothing", async () => {
      const username = uniqueUsername("reused");
      const first = await createAccount(username);
      const { hash } = await signIn(first.id);
      await store.deleteAccount(first.id);
      const second = await createAccount(username);
      expect(second.id).not.toBe(first.id);
      expect(await store.findSession(hash, T0)).toBeNull();
      expect(await store.listSessions(second.id, T0)).toEqual([]);
    });
  });

  it("answers a ping while it is reachable", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
