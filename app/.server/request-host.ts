import type { HeaderReader } from "./client-address";
import type { Env } from "./env";

/**
 * The host (and port, if any) the browser addressed, lower-cased: `Host`, or behind trusted
 * proxies the `X-Forwarded-Host` one of them wrote. Believed only when TRUST_PROXY says a proxy
 * sets it, as with the client's address: anyone can send the header to a server reached directly.
 * Null when the request names no host at all (an HTTP/1.0 client).
 * - `off`: `Host`.
 * - `fly`: Fly's proxy keeps `Host`; an `X-Forwarded-Host`, if present, is taken from the right.
 * - a number N: the N-th `X-Forwarded-Host` entry from the right, as for X-Forwarded-For.
 */
export function requestHost(headers: HeaderReader, trustProxy: Env["TRUST_PROXY"]): string | null {
  const host = headers.get("host")?.trim().toLowerCase() || null;
  if (trustProxy === "off") return host;
  const hops = (headers.get("x-forwarded-host") ?? "")
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  const hop = trustProxy === "fly" ? 1 : trustProxy;
  return hops[hops.length - hop] ?? hops[0] ?? host;
}

/** The name part of a host (`[::1]` for `[::1]:3000`), or null when it is not a valid host. */
export function hostnameOf(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}
