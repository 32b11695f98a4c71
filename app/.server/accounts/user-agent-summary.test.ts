import { describe, expect, it } from "vitest";
import { summarizeUserAgent } from "./user-agent-summary";

const WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)";
const SAFARI_WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)";

describe("summarizeUserAgent", () => {
  it.each([
    [`Mozilla/5.0 (X11; Linux x86_64) ${WEBKIT} Chrome/126.0.0.0 Safari/537.36`, "Chrome on Linux"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Windows"],
    [
      `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) ${SAFARI_WEBKIT} Version/17.5 Safari/605.1.15`,
      "Safari on macOS",
    ],
    [
      `Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) ${SAFARI_WEBKIT} Version/17.5 Mobile/15E148 Safari/604.1`,
      "Safari on iOS",
    ],
    [`Mozilla/5.0 (Linux; Android 14; Pixel 8) ${WEBKIT} Chrome/126.0.0.0 Mobile Safari/537.36`, "Chrome on Android"],
    [
      `Mozilla/5.0 (Windows NT 10.0; Win64; x64) ${WEBKIT} Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0`,
      "Edge on Windows",
    ],
    [`Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) ${WEBKIT} Chrome/126.0.0.0 Safari/537.36`, "Chrome on ChromeOS"],
    ["curl/8.5.0", "An unknown browser"],
    [undefined, "An unknown browser"],
  ])("summarises %s as %s", (userAgent, summary) => {
    expect(summarizeUserAgent(userAgent)).toBe(summary);
  });

  it("never echoes the string it was given", () => {
    expect(summarizeUserAgent("Mozilla/5.0 (X11; Linux x86_64) secret-tracking-id-123")).toBe("A browser on Linux");
  });
});
