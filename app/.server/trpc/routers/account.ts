import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { DEFAULT_PBKDF2_ITERATIONS, type KdfParams } from "~/lib/crypto/account-kdf";
import { fromBase64Url, toBase64Url } from "~/lib/crypto/base64url";
import type { WrappedIdentity } from "~/lib/crypto/identity-keys";
import { normalizeUsername } from "~/shared/username";
import {
  authKeySchema,
  identitySchema,
  kdfSchema,
  sessionIdSchema,
  usernameSchema,
} from "../../accounts/account-inputs";
import { IdentitySealError } from "../../accounts/identity-seal";
import { forgetChatsOf } from "../../chats/direct-chats";
import { dummyVerify, hashAuthKey, verifyAuthKey } from "../../accounts/passwords";
import { newSessionToken, SESSION_LIFETIME_MS, sessionExpiry } from "../../accounts/session-tokens";
import type { AccountCredentials, PublicKey, Session } from "../../accounts/types";
import { summarizeUserAgent } from "../../accounts/user-agent-summary";
import { logger } from "../../logger";
import { metrics } from "../../metrics";
import { clearSessionCookie, serializeSessionCookie } from "../../session-cookie";
import type { Context } from "../context";
import { accountProcedure, publicProcedure, router } from "../trpc";

/** One signed-in browser, as the account page lists it. Times are ISO 8601 strings. */
export interface SessionSummary {
  id: string;
  /** "Chrome on Linux": never the User-Agent itself. */
  browser: string;
  createdAt: string;
  lastUsedAt: string;
  /** The browser asking. */
  current: boolean;
}

/** The same answer, word for word, for a name with no account and for a wrong password. */
export const WRONG_USERNAME_OR_PASSWORD = "Wrong username or password";

const wrongUsernameOrPassword = () => new TRPCError({ code: "UNAUTHORIZED", message: WRONG_USERNAME_OR_PASSWORD });
const badField = (message: string) => new TRPCError({ code: "BAD_REQUEST", message });

const empty = z.object({}).optional();

const kdfOf = (account: Pick<AccountCredentials, "kdf" | "salt">): KdfParams => ({
  algorithm: account.kdf.algorithm,
  iterations: account.kdf.iterations,
  salt: toBase64Url(account.salt),
});

const publicKeysOf = (identity: WrappedIdentity): PublicKey[] =>
  identity.keyPairs.map(({ algorithm, publicKey }) => ({ algorithm, publicKey }));

const sameKeys = (a: PublicKey[], b: PublicKey[]) => {
  const text = (keys: PublicKey[]) =>
    keys
      .map((key) => `${key.algorithm}:${key.publicKey}`)
      .sort()
      .join(",");
  return text(a) === text(b);
};

/** Starts a session for the account and gives the browser its cookie. */
async function startSession(ctx: Context, accountId: string): Promise<Session> {
  const { token, hash } = newSessionToken();
  const now = new Date();
  const session = await ctx.services.accounts.createSession({
    accountId,
    tokenHash: hash,
    userAgent: summarizeUserAgent(ctx.userAgent),
    now,
    expiresAt: sessionExpiry(now),
  });
  ctx.setCookie(
    serializeSessionCookie(token, { secure: ctx.secureCookies(), maxAgeSeconds: SESSION_LIFETIME_MS / 1000 }),
  );
  return session;
}

const endCookie = (ctx: Context) => ctx.setCookie(clearSessionCookie(ctx.secureCookies()));

/** The account's identity as the browser wrapped it; a blob that does not open is the server's fault. */
function openIdentity(ctx: Context, account: AccountCredentials): WrappedIdentity {
  try {
    return ctx.services.identitySeal.open(account.sealedIdentity, account.username);
  } catch (error) {
    if (!(error instanceof IdentitySealError)) throw error;
    // No name or id in the line: the operator's lead is the message (a changed SESSION_SECRET).
    logger.error({ err: { message: error.message } }, "An account's sealed identity does not open");
    throw new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: "This account's keys cannot be read on this server",
    });
  }
}

export const accountRouter = router({
  /**
   * The key-derivation parameters to stretch a password for this name with. A name with no
   * account gets a salt derived from the server secret: the same every time, shaped like a real
   * one, and found after the same lookup, so the answer does not tell which names exist.
   */
  salt: publicProcedure
    .input(z.object({ username: usernameSchema }))
    .query(async ({ ctx, input }): Promise<{ kdf: KdfParams }> => {
      await ctx.services.limits.consumeOrThrow("accountSalt", ctx.clientKey);
      const account = await ctx.services.accounts.findByUsername(input.username);
      if (account) return { kdf: kdfOf(account) };
      const username = normalizeUsername(input.username) ?? "";
      return {
        kdf: {
          algorithm: "PBKDF2-SHA-256",
          iterations: DEFAULT_PBKDF2_ITERATIONS,
          salt: toBase64Url(ctx.services.saltForUnknown(username)),
        },
      };
    }),

  signUp: publicProcedure
    .input(z.object({ username: usernameSchema, kdf: kdfSchema, authKey: authKeySchema, identity: identitySchema }))
    .mutation(async ({ ctx, input }): Promise<{ username: string }> => {
      await ctx.services.limits.consumeOrThrow("signUp", ctx.clientKey);
      const { services } = ctx;
      const outcome = await services.accounts.createAccount(
        {
          username: input.username,
          kdf: { algorithm: input.kdf.algorithm, iterations: input.kdf.iterations },
          salt: fromBase64Url(input.kdf.salt),
          verifier: await hashAuthKey(fromBase64Url(input.authKey)),
          publicKeys: publicKeysOf(input.identity),
          sealedIdentity: services.identitySeal.seal(input.identity, input.username),
        },
        new Date(),
      );
      if (outcome.status === "username-taken") {
        throw new TRPCError({ code: "CONFLICT", message: "username: that name is taken" });
      }
      await startSession(ctx, outcome.account.id);
      metrics.accountsCreated.inc();
      logger.info("account created");
      return { username: outcome.account.username };
    }),

  /**
   * A name with no account and a wrong password get the same error after the same work (one
   * lookup, one argon2id verify), so neither the answer nor its timing tells them apart.
   */
  signIn: publicProcedure
    .input(z.object({ username: usernameSchema, authKey: authKeySchema }))
    .mutation(async ({ ctx, input }): Promise<{ username: string; kdf: KdfParams; identity: WrappedIdentity }> => {
      const { limits, accounts } = ctx.services;
      await limits.consumeOrThrow("signInAddress", ctx.clientKey);
      await limits.consumeOrThrow("signInName", normalizeUsername(input.username) ?? "");
      const started = performance.now();
      let outcome = "wrong";
      try {
        const authKey = fromBase64Url(input.authKey);
        const account = await accounts.findByUsername(input.username);
        const matches = account ? await verifyAuthKey(account.verifier, authKey) : await dummyVerify(authKey);
        if (!account || !matches) throw wrongUsernameOrPassword();
        const identity = openIdentity(ctx, account);
        await startSession(ctx, account.id);
        outcome = "ok";
        return { username: account.username, kdf: kdfOf(account), identity };
      } finally {
        metrics.signInSeconds.observe({ outcome }, (performance.now() - started) / 1000);
      }
    }),

  /** Ends this browser's session, if it has one, and its cookie in any case. */
  signOut: publicProcedure.input(empty).mutation(async ({ ctx }): Promise<{ ok: true }> => {
    const signedIn = await ctx.signedIn();
    if (signedIn) await ctx.services.accounts.revokeSession(signedIn.account.id, signedIn.session.id);
    endCookie(ctx);
    return { ok: true };
  }),

  me: publicProcedure.input(empty).query(async ({ ctx }): Promise<{ username: string; createdAt: string } | null> => {
    const signedIn = await ctx.signedIn();
    return signedIn && { username: signedIn.account.username, createdAt: signedIn.account.createdAt.toISOString() };
  }),

  sessions: accountProcedure.input(empty).query(async ({ ctx }): Promise<{ sessions: SessionSummary[] }> => {
    const sessions = await ctx.services.accounts.listSessions(ctx.account.id, new Date());
    return {
      sessions: sessions.map((session) => ({
        id: session.id,
        browser: session.userAgent,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
        current: session.id === ctx.session.id,
      })),
    };
  }),

  /** Signs one of the account's browsers out; its next request finds no session. */
  revokeSession: accountProcedure
    .input(z.object({ sessionId: sessionIdSchema }))
    .mutation(async ({ ctx, input }): Promise<{ ok: boolean }> => {
      const revoked = await ctx.services.accounts.revokeSession(ctx.account.id, input.sessionId);
      if (!revoked) throw new TRPCError({ code: "NOT_FOUND", message: "sessionId: no such signed-in browser" });
      if (input.sessionId === ctx.session.id) endCookie(ctx);
      return { ok: true };
    }),

  revokeOtherSessions: accountProcedure.input(empty).mutation(async ({ ctx }): Promise<{ revoked: number }> => {
    return { revoked: await ctx.services.accounts.revokeOtherSessions(ctx.account.id, ctx.session.id) };
  }),

  /**
   * New parameters, auth key and the same key pairs re-wrapped, after the current auth key
   * proves the password. Every other browser is signed out: a changed password is often a
   * response to someone else knowing the old one.
   */
  /**
   * The account's wrapped keys, for a password change to re-wrap, given the current password's
   * auth key. Holding the session is not enough: a stolen session would otherwise carry away a
   * blob to guess the password against offline, at the cost of PBKDF2 alone and with no limit.
   */
  identity: accountProcedure
    .input(z.object({ currentAuthKey: authKeySchema }))
    .mutation(async ({ ctx, input }): Promise<{ identity: WrappedIdentity }> => {
      await ctx.services.limits.consumeOrThrow("changePassword", ctx.account.id);
      const current = await ctx.services.accounts.findByUsername(ctx.account.username);
      if (!current || !(await verifyAuthKey(current.verifier, fromBase64Url(input.currentAuthKey)))) {
        throw new TRPCError({ code: "UNAUTHORIZED", message: "currentPassword: wrong password" });
      }
      return { identity: openIdentity(ctx, current) };
    }),

  changePassword: accountProcedure
    .input(
      z.object({ currentAuthKey: authKeySchema, kdf: kdfSchema, authKey: authKeySchema, identity: identitySchema }),
    )
    .mutation(async ({ ctx, input }): Promise<{ ok: true; otherSessionsSignedOut: number }> => {
      const { accounts, identitySeal, limits } = ctx.services;
      await limits.consumeOrThrow("changePassword", ctx.account.id);
      const current = await accounts.findByUsername(ctx.account.username);
      if (!current || !(await verifyAuthKey(current.verifier, fromBase64Url(input.currentAuthKey)))) {
        throw new TRPCError({ code: "UNAUTHORIZED", message: "currentPassword: wrong password" });
      }
      // A password change re-wraps the account's keys; new ones would silently change who it is.
      if (!sameKeys(publicKeysOf(input.identity), current.publicKeys)) {
        throw badField("identity: must hold the account's own key pairs, re-wrapped");
      }
      const credentials = {
        kdf: { algorithm: input.kdf.algorithm, iterations: input.kdf.iterations },
        salt: fromBase64Url(input.kdf.salt),
        verifier: await hashAuthKey(fromBase64Url(input.authKey)),
        sealedIdentity: identitySeal.seal(input.identity, current.username),
      };
      const otherSessionsSignedOut = await accounts.changeCredentials(current.id, credentials, ctx.session.id);
      if (otherSessionsSignedOut === null) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
      logger.info({ otherSessionsSignedOut }, "password changed");
      return { ok: true, otherSessionsSignedOut };
    }),

  /** Everything the server holds for the account, in one statement, after the name is typed. */
  delete: accountProcedure
    .input(
      z.object({
        username: z
          .string({ error: "type your username to confirm" })
          .max(100, { error: "type your username to confirm" }),
      }),
    )
    .mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
      if (normalizeUsername(input.username.trim()) !== ctx.account.username) {
        throw badField("username: type your username to confirm");
      }
      // Its chats end first: their messages were sealed with keys that go with the account.
      await forgetChatsOf(ctx.services.directChats, ctx.account.id);
      await ctx.services.accounts.deleteAccount(ctx.account.id);
      endCookie(ctx);
      metrics.accountsDeleted.inc();
      logger.info("account deleted");
      return { ok: true };
    }),
});
