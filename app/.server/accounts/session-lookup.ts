import { hashSessionToken, sessionExpiry, sessionNeedsTouch } from "./session-tokens";
import type { Account, AccountStore, Session } from "./types";

/** Who a request is signed in as, and through which session. */
export interface SignedIn {
  account: Account;
  session: Session;
}

/**
 * The live session a cookie's token names, and its account; null when there is no token, or its
 * session is unknown, revoked or expired. A use slides the expiry, written at most once a minute
 * (SESSION_TOUCH_INTERVAL_MS) so a busy browser costs no write per request. `touched` says
 * whether this call slid it, so the caller can send the cookie again with a fresh lifetime.
 */
export async function findSignedIn(
  accounts: AccountStore,
  token: string | null,
  now = new Date(),
): Promise<(SignedIn & { touched: boolean }) | null> {
  const tokenHash = token === null ? null : hashSessionToken(token);
  if (tokenHash === null) return null;
  const session = await accounts.findSession(tokenHash, now);
  if (!session) return null;
  const account = await accounts.getAccount(session.accountId);
  if (!account) return null;
  if (!sessionNeedsTouch(session.lastUsedAt, now)) return { account, session, touched: false };
  const expiresAt = sessionExpiry(now);
  // Revoked or expired between the two statements: no session after all.
  if (!(await accounts.touchSession(tokenHash, now, expiresAt))) return null;
  return { account, session: { ...session, lastUsedAt: now, expiresAt }, touched: true };
}
