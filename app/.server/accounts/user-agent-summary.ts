/**
 * What the account page calls a signed-in browser: "Chrome on Linux", "Safari on iPhone". It is
 * stored with the session, so it is a short name from a fixed list, never the header itself: a
 * full User-Agent, with its versions and build numbers, helps fingerprint its owner.
 *
 * A dozen patterns rather than a parsing library: the answer is one of a few names either way,
 * and the order is what matters. Edge, Opera and Samsung Internet also say "Chrome", Chrome also
 * says "Safari", and iOS browsers other than Safari name themselves CriOS, FxiOS, EdgiOS.
 */
export const UNKNOWN_BROWSER = "Unknown browser";
export const USER_AGENT_SUMMARY_MAX_LENGTH = 40;

/** Real headers are a few hundred characters; nothing past this changes the answer. */
const READ_AT_MOST = 512;

const BROWSERS: ReadonlyArray<[name: string, pattern: RegExp]> = [
  ["Edge", /\bEdg(?:e|A|iOS)?\//],
  ["Opera", /\b(?:OPR|OPiOS|Opera)\//],
  ["Samsung Internet", /\bSamsungBrowser\//],
  ["Firefox", /\b(?:Firefox|FxiOS)\//],
  ["Chrome", /\b(?:Chrome|HeadlessChrome|CriOS|Chromium)\//],
  ["Safari", /\bVersion\/[\d.]+.*\bSafari\//],
];

const SYSTEMS: ReadonlyArray<[name: string, pattern: RegExp]> = [
  ["iPhone", /\biPhone\b/],
  ["iPad", /\biPad\b/],
  ["Android", /\bAndroid\b/],
  ["Windows", /\bWindows\b/],
  ["ChromeOS", /\bCrOS\b/],
  // iPadOS asks for desktop pages as a Mac: it reads as macOS, which is what it claims.
  ["macOS", /\bMacintosh\b|\bMac OS X\b/],
  ["Linux", /\bLinux\b/],
];

const firstMatch = (table: typeof BROWSERS, text: string) => table.find(([, pattern]) => pattern.test(text))?.[0];

/** "Browser on System", just the browser when the system is not one of ours, else "Unknown browser". */
export function summarizeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return UNKNOWN_BROWSER;
  const text = userAgent.slice(0, READ_AT_MOST);
  const browser = firstMatch(BROWSERS, text);
  if (!browser) return UNKNOWN_BROWSER;
  const system = firstMatch(SYSTEMS, text);
  return (system ? `${browser} on ${system}` : browser).slice(0, USER_AGENT_SUMMARY_MAX_LENGTH);
}
