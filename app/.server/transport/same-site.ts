import type { HeaderReader } from "../client-address";
import type { Env } from "../env";
import { requestHost } from "../request-host";

export const CROSS_SITE_MESSAGE =
  "Refused: this request came from another site. Changes can only be made from this site's own pages.";

/**
 * Why a state-changing request must be refused as cross-site, or null when it may run.
 *
 * Every browser sends `Origin` with a POST, same-origin ones included, so a page of another site
 * (a form, a `fetch` with a `text/plain` or JSON body) is recognised by its Origin alone, whatever
 * its content type and whether or not cookies went with it. `Sec-Fetch-Site: cross-site` is the
 * browser's own verdict and refuses too. A request with neither header comes from no browser
 * page (curl, another server, the tests): it carries no one's cookies by accident, so it passes.
 *
 * The Origin must name the host the browser addressed (see `requestHost`); the scheme is not
 * compared, because behind a proxy that ends TLS the server cannot see it. Stricter than "same
 * site": a sibling subdomain is refused too; the app never posts across origins.
 */
export function crossSiteReason(headers: HeaderReader, trustProxy: Env["TRUST_PROXY"]): string | null {
  if (headers.get("sec-fetch-site")?.trim().toLowerCase() === "cross-site") return "Sec-Fetch-Site is cross-site";
  const origin = headers.get("origin")?.trim();
  if (!origin) return null;
  // Sandboxed frames, data: and file: pages, and some redirects send "null": never one of ours.
  if (origin === "null") return "Origin is null";
  const parsed = parseOrigin(origin);
  if (!parsed) return "Origin is not an http(s) origin";
  const host = requestHost(headers, trustProxy);
  if (!host) return "the request names no host to compare Origin with";
  return sameHost(parsed, host) ? null : "Origin names another host";
}

function parseOrigin(origin: string): URL | null {
  try {
    const url = new URL(origin);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

/** Compared as URLs of the Origin's scheme, so `example.com:443` and `https://example.com` agree. */
function sameHost(origin: URL, host: string): boolean {
  try {
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}
