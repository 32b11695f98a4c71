import {
  test as base,
  devices,
  expect,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from "@playwright/test";

interface People {
  /** A new person: their own browser context (cookies, storage), a desktop Chrome by default. */
  join: (options?: BrowserContextOptions) => Promise<Page>;
  /** Declares a console error the test provokes on purpose (a refused request, a killed server). */
  allowConsoleError: (pattern: RegExp) => void;
}

/**
 * Every test gets `people`. Whatever happens in any of their pages, these fail the test:
 * a console error or uncaught page error not declared in advance, and any request that leaves the
 * app's own origin (fonts and every asset are self-hosted, so a strict CSP can hold).
 *
 * Headless Chromium's own user agent says "HeadlessChrome", which the room gate rightly treats as
 * a bot that must not take a seat, so people browse as the desktop Chrome (or the device) given.
 */
export const test = base.extend<{ people: People }>({
  people: async ({ browser, baseURL }, use) => {
    const problems: string[] = [];
    const allowed: RegExp[] = [];
    const foreignRequests = new Set<string>();
    const contexts: BrowserContext[] = [];
    const appOrigins = new Set<string>();
    if (baseURL) appOrigins.add(new URL(baseURL).origin);

    await use({
      async join(options = {}) {
        const context = await browser.newContext({ ...devices["Desktop Chrome"], baseURL, ...options });
        if (options.baseURL) appOrigins.add(new URL(options.baseURL).origin);
        contexts.push(context);
        const page = await context.newPage();
        page.on("console", (message) => {
          if (message.type() !== "error") return;
          const text = message.text();
          if (!allowed.some((pattern) => pattern.test(text))) problems.push(`console.error: ${text}`);
        });
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
        page.on("request", (request) => {
          const url = new URL(request.url());
          if (!["data:", "blob:"].includes(url.protocol) && !appOrigins.has(url.origin)) {
            foreignRequests.add(url.origin);
          }
        });
        return page;
      },
      allowConsoleError(pattern) {
        allowed.push(pattern);
      },
    });
    await Promise.all(contexts.map((context) => context.close()));
    expect(problems, "no console or page errors").toEqual([]);
    expect([...foreignRequests], "no request leaves the app's origin").toEqual([]);
  },
});

export { expect };
