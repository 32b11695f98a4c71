import { test as base, devices, expect, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";

export interface Person {
  page: Page;
}

/**
 * `people.join()` opens a separate browser context (its own cookies and storage) per person, as a
 * desktop Chrome unless told otherwise: headless Chromium's own user agent says "HeadlessChrome",
 * which the room gate rightly treats as a bot that must not take a seat.
 * Any console error or uncaught page error in any of them fails the test.
 */
export const test = base.extend<{ people: { join: (options?: BrowserContextOptions) => Promise<Page> } }>({
  people: async ({ browser, baseURL }, use) => {
    const problems: string[] = [];
    const contexts: Awaited<ReturnType<Browser["newContext"]>>[] = [];
    await use({
      async join(options = {}) {
        const context = await browser.newContext({ ...devices["Desktop Chrome"], baseURL, ...options });
        contexts.push(context);
        const page = await context.newPage();
        page.on("console", (message) => {
          if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
        });
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
        return page;
      },
    });
    await Promise.all(contexts.map((context) => context.close()));
    expect(problems, "no console or page errors").toEqual([]);
  },
});

export { expect };
