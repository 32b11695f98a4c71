/**
 * Who is signed in, for Remix loaders and actions (routes may import this file; it is the one
 * door from the pages to the account sessions). tRPC procedures use `ctx.account()` instead.
 */
import { findSignedIn } from "./accounts/session-lookup";
import { getServices } from "./services";
import { createContext } from "./trpc/context";

export interface RequestAccount {
  /** Lowercase, as stored. */
  username: string;
  sessionId: string;
}

/**
 * The account the request's session cookie signs in, or null. Reads the same cookie as the tRPC
 * procedures (secure name in production over HTTPS), and slides the session's expiry like them;
 * the cookie itself is refreshed by the browser's next tRPC call.
 */
export async function accountFromRequest(request: Request): Promise<RequestAccount | null> {
  const services = getServices();
  const token = createContext(request.headers, services).sessionToken();
  const found = await findSignedIn(services.accounts, token);
  return found && { username: found.account.username, sessionId: found.session.id };
}
