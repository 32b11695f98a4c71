/**
 * The account session cookie: a random token (the store keeps only its hash) in an HttpOnly,
 * SameSite=Lax cookie. Secure cookies carry the `__Host-` prefix, which the browser accepts only
 * from a secure origin, with `Path=/` and no `Domain`: no sibling subdomain and no plain-HTTP
 * attacker can plant or overwrite one. Each kind of request reads only its own name, so a
 * plain-named cookie planted over HTTP is never read where the prefixed one is expected.
 */
export const SESSION_COOKIE = {
  /** Production over HTTPS. */
  secure: "__Host-ephemera_session",
  /** Development, tests, and production on a loopback host (see `secureCookies`). */
  plain: "ephemera_session",
} as const;

const TOKEN_PATTERN = /^[\w-]{16,128}$/;
// The one rule for every cookie the app sets: room, visitor and session cookies are Secure alike.
const LOOPBACK_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * Whether cookies for a request to `hostname` are Secure: in production, except on a loopback
 * host, where `npm start` must just work over plain HTTP (browsers treat http://localhost as
 * trustworthy, but not every one accepts Secure cookies there).
 */
export function secureCookies(production: boolean, hostname: string | null): boolean {
  return production && !(hostname !== null && LOOPBACK_HOSTNAMES.has(hostname));
}

export function sessionCookieName(secure: boolean): string {
  return secure ? SESSION_COOKIE.secure : SESSION_COOKIE.plain;
}

/** The session token in a Cookie header, or null (absent, or not shaped like a token). */
export function readSessionToken(cookieHeader: string | null, secure: boolean): string | null {
  if (!cookieHeader) return null;
  const prefix = `${sessionCookieName(secure)}=`;
  for (const part of cookieHeader.split(";")) {
    const trimmed = part.trim();
    if (!trimmed.startsWith(prefix)) continue;
    const value = trimmed.slice(prefix.length);
    // The first with the name is the browser's own; a malformed one means no session.
    return TOKEN_PATTERN.test(value) ? value : null;
  }
  return null;
}

/** A `Set-Cookie` value that stores `token` for `maxAgeSeconds` (sliding: set again on use). */
export function serializeSessionCookie(
  token: string,
  { secure, maxAgeSeconds }: { secure: boolean; maxAgeSeconds: number },
): string {
  if (!TOKEN_PATTERN.test(token)) throw new Error("A session token must be 16-128 base64url characters");
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds <= 0) {
    throw new Error("maxAgeSeconds must be a positive whole number");
  }
  return attributes(`${sessionCookieName(secure)}=${token}; Max-Age=${maxAgeSeconds}`, secure);
}

/** A `Set-Cookie` value that removes the session cookie (sign-out, revocation, a stale token). */
export function clearSessionCookie(secure: boolean): string {
  return attributes(`${sessionCookieName(secure)}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`, secure);
}

function attributes(cookie: string, secure: boolean): string {
  return `${cookie}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
