import { findSignedIn, type SignedIn } from "../accounts/session-lookup";
import { SESSION_LIFETIME_MS } from "../accounts/session-tokens";
import { clientAddress, type HeaderReader } from "../client-address";
import { env } from "../env";
import { hostnameOf, requestHost } from "../request-host";
import { visitorIdOf } from "../room-token";
import type { Services } from "../services";
import { clearSessionCookie, readSessionToken, secureCookies, serializeSessionCookie } from "../session-cookie";
import { ResponseCookies } from "../transport/response-cookies";

/** Per-request dependencies. Tests build one directly to call procedures with either store. */
export interface Context {
  services: Services;
  /** The caller's member id in a room (`memberIdOf` its token), from that room's signed cookie. */
  roomMemberId(roomId: string): Promise<string | null>;
  /** The caller's "Talk to a stranger" identity (a hash of their visitor cookie), if they have one. */
  visitorId(): Promise<string | null>;
  /** Who the caller is for rate limits: their address, as far as TRUST_PROXY lets us tell. */
  clientKey: string;
  /** The account session token from the session cookie (see session-cookie.ts), on every path. */
  sessionToken(): string | null;
  /**
   * Whether cookies set for this request must be Secure (and the session cookie `__Host-` named).
   * A method, not a getter: an object literal with an accessor is built on V8's slow path, about
   * 2 µs a request against 0.1 µs without, and tRPC's context spreads would run it on every call.
   */
  secureCookies(): boolean;
  /** The raw User-Agent header: to be summarised (accounts/user-agent-summary.ts), never stored. */
  userAgent: string | null;
  /**
   * Adds a `Set-Cookie` header to the response, on tRPC's adapter and the procedure batches alike.
   * Throws where the head is already out (event streams, streamed batches).
   */
  setCookie(serialized: string): void;
  /** What `setCookie` collected, for the transport that writes the response (and for tests). */
  responseCookies: ResponseCookies;
  /**
   * Who the session cookie signs in, looked up once per request: null without a live session
   * (none, unknown, revoked, expired). A use slides the session's expiry, and the cookie's with it.
   */
  signedIn(): Promise<SignedIn | null>;
}

export interface ContextOptions {
  /** Collects the response's cookies; the transport that answers reads it. A fresh one otherwise. */
  responseCookies?: ResponseCookies;
  /** Whether cookies are Secure in production; tests may pretend. */
  production?: boolean;
}

export function createContext(
  headers: HeaderReader,
  services: Services,
  peerAddress?: string,
  { responseCookies = new ResponseCookies(), production = env.NODE_ENV === "production" }: ContextOptions = {},
): Context {
  const cookieHeader = headers.get("cookie");
  let secure: boolean | undefined;
  // Worked out on first use: most requests (every send and receipt) never ask.
  const isSecure = () => {
    if (secure !== undefined) return secure;
    const host = production ? requestHost(headers, services.trustProxy) : null;
    return (secure = secureCookies(production, host === null ? null : hostnameOf(host)));
  };
  let signedIn: Promise<SignedIn | null> | undefined;
  const context: Context = {
    services,
    roomMemberId: (roomId) => services.cookies.readMemberId(cookieHeader, roomId),
    visitorId: async () => {
      const token = await services.cookies.readVisitor(cookieHeader);
      return token ? visitorIdOf(token) : null;
    },
    clientKey: clientAddress(headers, peerAddress, services.trustProxy),
    sessionToken: () => readSessionToken(cookieHeader, isSecure()),
    secureCookies: isSecure,
    userAgent: headers.get("user-agent"),
    setCookie: (serialized) => responseCookies.set(serialized),
    responseCookies,
    signedIn: () => (signedIn ??= lookUpAccount(context)),
  };
  return context;
}

const SESSION_COOKIE_MAX_AGE_SECONDS = SESSION_LIFETIME_MS / 1000;

async function lookUpAccount(ctx: Context): Promise<SignedIn | null> {
  const token = ctx.sessionToken();
  if (token === null) return null;
  const found = await findSignedIn(ctx.services.accounts, token);
  // A slid session gets a cookie that lasts as long; a dead one's cookie goes. Where the head is
  // already out (an event stream) neither can be sent: the next ordinary request does it.
  const cookie = !found
    ? clearSessionCookie(ctx.secureCookies())
    : found.touched
      ? serializeSessionCookie(token, { secure: ctx.secureCookies(), maxAgeSeconds: SESSION_COOKIE_MAX_AGE_SECONDS })
      : null;
  if (cookie !== null) {
    try {
      ctx.setCookie(cookie);
    } catch {
      // See above: nothing to do on a response whose head is written.
    }
  }
  return found && { account: found.account, session: found.session };
}
