import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { KdfParams } from "~/lib/crypto/account-kdf";
import type { WrappedIdentity } from "~/lib/crypto/identity-keys";
import { authKeySchema, identitySchema, kdfSchema, sessionIdSchema, usernameSchema } from "../../accounts/account-inputs";
import { publicProcedure, router } from "../trpc";

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

const notYet = (): never => {
  throw new TRPCError({ code: "NOT_IMPLEMENTED", message: "Not built yet" });
};

export const accountRouter = router({
  salt: publicProcedure.input(z.object({ username: usernameSchema })).query((): { kdf: KdfParams } => notYet()),

  signUp: publicProcedure
    .input(z.object({ username: usernameSchema, kdf: kdfSchema, authKey: authKeySchema, identity: identitySchema }))
    .mutation((): { username: string } => notYet()),

  signIn: publicProcedure
    .input(z.object({ username: usernameSchema, authKey: authKeySchema }))
    .mutation((): { username: string; kdf: KdfParams; identity: WrappedIdentity } => notYet()),

  signOut: publicProcedure.input(z.object({}).optional()).mutation((): { ok: true } => notYet()),

  me: publicProcedure
    .input(z.object({}).optional())
    .query((): { username: string; createdAt: string } | null => notYet()),

  sessions: publicProcedure.input(z.object({}).optional()).query((): { sessions: SessionSummary[] } => notYet()),

  revokeSession: publicProcedure
    .input(z.object({ sessionId: sessionIdSchema }))
    .mutation((): { ok: boolean } => notYet()),

  revokeOtherSessions: publicProcedure
    .input(z.object({}).optional())
    .mutation((): { revoked: number } => notYet()),

  changePassword: publicProcedure
    .input(z.object({ currentAuthKey: authKeySchema, kdf: kdfSchema, authKey: authKeySchema, identity: identitySchema }))
    .mutation((): { ok: true; otherSessionsSignedOut: number } => notYet()),

  delete: publicProcedure.input(z.object({ username: z.string({ error: "must be your username" }).max(100) }))
    .mutation((): { ok: true } => notYet()),
});
