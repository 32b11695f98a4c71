import { clientAddress, type HeaderReader } from "../client-address";
import { env } from "../env";
import { hostnameOf, requestHost } from "../request-host";
import { visitorIdOf } from "../room-token";
import type { Services } from "../services";
import { readSessionToken, secureCookies } from "../session-cookie";
import { ResponseCookies } from "../transport/response-cookies";

/** Per-request dependencies. Tests build one directly to call procedures with either store. */
export interface Context {
  services: Services;
  /** The caller's member token for a room, from that room's signed cookie. */
  roomToken(roomId: string): Promise<string | null>;
  /** The caller's "Talk to a stranger" identity (a hash of their visitor cookie), if they have one. */
  visitorId(): Promise<string | null>;
  /** Who the caller is for rate limits: their address, as far as TRUST_PROXY lets us tell. */
  clientKey: string;
  /** The account session token from the session cookie (see session-cookie.ts), on every path. */
  sessionToken(): string | null;
  /** Whether cookies set for this request must be Secure (and the session cookie `__Host-` named). */
  secureCookies: boolean;
  /** The raw User-Agent header: to be summarised (accounts/user-agent-summary.ts), never stored. */
  userAgent: string | null;
  /**
   * Adds a `Set-Cookie` header to the response, on tRPC's adapter and the mutation batches alike.
   * Throws where the head is already out (event streams, streamed batches).
   */
  setCookie(serialized: string): void;
  /** What `setCookie` collected, for the transport that writes the response (and for tests). */
  responseCookies: ResponseCookies;
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
  return {
    services,
    roomToken: (roomId) => services.cookies.read(cookieHeader, roomId),
    visitorId: async () => {
      const token = await services.cookies.readVisitor(cookieHeader);
      return token ? visitorIdOf(token) : null;
    },
    clientKey: clientAddress(headers, peerAddress, services.trustProxy),
    sessionToken: () => readSessionToken(cookieHeader, isSecure()),
    get secureCookies() {
      return isSecure();
    },
    userAgent: headers.get("user-agent"),
    setCookie: (serialized) => responseCookies.set(serialized),
    responseCookies,
  };
}
