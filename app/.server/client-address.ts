import type { Env } from "./env";

/**
 * What a request's headers must offer here and in a tRPC context: Fetch `Headers` and Node's
 * headers both fit.
 */
export interface HeaderReader {
  get(name: string): string | null;
}

/**
 * The address a rate limit should count. Proxy headers are believed only when TRUST_PROXY says
 * a proxy sets them: anyone can send an X-Forwarded-For header to a server that is reached directly.
 * - `off`: the TCP peer.
 * - `fly`: Fly.io's `Fly-Client-IP`.
 * - a number N: the N-th X-Forwarded-For entry from the right (N trusted proxies; Render: 1).
 */
export function clientAddress(
  headers: HeaderReader,
  peerAddress: string | undefined,
  trustProxy: Env["TRUST_PROXY"],
): string {
  const peer = peerAddress ?? "unknown";
  if (trustProxy === "off") return peer;
  if (trustProxy === "fly") return headers.get("fly-client-ip")?.trim() || peer;
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return hops[hops.length - trustProxy] ?? hops[0] ?? peer;
}
