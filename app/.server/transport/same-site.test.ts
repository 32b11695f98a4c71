import { describe, expect, it } from "vitest";
import { crossSiteReason } from "./same-site";

const check = (headers: Record<string, string>, trustProxy: Parameters<typeof crossSiteReason>[1] = "off") =>
  crossSiteReason(new Headers(headers), trustProxy);
/** A POST to ephemera.example from a page of `origin`. */
const from = (origin: string, more: Record<string, string> = {}) =>
  check({ host: "ephemera.example", origin, ...more });
const ANOTHER_HOST = "Origin names another host";

describe("crossSiteReason", () => {
  it("passes the app's own browser requests: Origin is the host the browser addressed", () => {
    expect(check({ host: "ephemera.example", origin: "https://ephemera.example" })).toBeNull();
    expect(
      check({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", "sec-fetch-site": "same-origin" }),
    ).toBeNull();
    expect(check({ host: "localhost:5173", origin: "http://localhost:5173" })).toBeNull();
    expect(check({ host: "[::1]:3000", origin: "http://[::1]:3000" })).toBeNull();
  });

  it("compares hosts without regard to case or a default port", () => {
    expect(check({ host: "Ephemera.Example", origin: "https://ephemera.example" })).toBeNull();
    expect(check({ host: "ephemera.example:443", origin: "https://ephemera.example" })).toBeNull();
    expect(check({ host: "ephemera.example:80", origin: "http://ephemera.example" })).toBeNull();
  });

  it("passes requests from no browser page: neither Origin nor a cross-site Sec-Fetch-Site", () => {
    expect(check({ host: "ephemera.example" })).toBeNull();
    expect(check({})).toBeNull();
    expect(check({ host: "ephemera.example", "sec-fetch-site": "none" })).toBeNull();
    expect(check({ host: "ephemera.example", "sec-fetch-site": "same-origin" })).toBeNull();
  });

  it("refuses an Origin naming another host, port or a sibling subdomain", () => {
    expect(from("https://evil.example")).toBe(ANOTHER_HOST);
    expect(check({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:4000" })).toBe(ANOTHER_HOST);
    expect(from("https://ephemera.example:8443")).toBe(ANOTHER_HOST);
    expect(from("https://evil.ephemera.example")).toBe(ANOTHER_HOST);
    expect(from("https://ephemera.example.evil.test")).toBe(ANOTHER_HOST);
  });

  it("refuses an Origin that is null, not http(s) or not an origin at all", () => {
    expect(from("null")).toBe("Origin is null");
    expect(from("file:///home/x/evil.html")).toBe("Origin is not an http(s) origin");
    expect(from("not a url")).toBe("Origin is not an http(s) origin");
    expect(check({ origin: "https://ephemera.example" })).toBe("the request names no host to compare Origin with");
  });

  it("refuses what the browser itself calls cross-site, with or without an Origin", () => {
    expect(check({ host: "ephemera.example", "sec-fetch-site": "cross-site" })).toBe("Sec-Fetch-Site is cross-site");
    expect(from("https://ephemera.example", { "sec-fetch-site": "cross-site" })).not.toBeNull();
  });

  it("believes X-Forwarded-Host only from trusted proxies", () => {
    const behindProxy = {
      host: "app.internal:8080",
      "x-forwarded-host": "ephemera.example",
      origin: "https://ephemera.example",
    };
    expect(check(behindProxy, 1)).toBeNull();
    expect(check(behindProxy, "fly")).toBeNull();
    // Reached directly, the header is anyone's to send: the Host decides.
    expect(check(behindProxy, "off")).toBe(ANOTHER_HOST);
    expect(from("https://evil.example", { "x-forwarded-host": "evil.example" })).not.toBeNull();
    // A trusted proxy with no X-Forwarded-Host leaves the Host as it was.
    expect(check({ host: "ephemera.example", origin: "https://ephemera.example" }, 1)).toBeNull();
  });

  it("counts trusted hops from the right of X-Forwarded-Host, so a forged left part is ignored", () => {
    const forged = {
      host: "app.internal",
      "x-forwarded-host": "evil.example, ephemera.example",
      origin: "https://evil.example",
    };
    expect(check(forged, 1)).toBe(ANOTHER_HOST);
    expect(check({ ...forged, origin: "https://ephemera.example" }, 1)).toBeNull();
  });
});
