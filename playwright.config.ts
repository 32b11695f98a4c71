import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests drive Debian's Chromium (`npx playwright install` cannot download browsers
 * here) against the production build, started by the global setup on a free port.
 */
export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "tests/e2e/.artifacts",
  globalSetup: "./tests/e2e/global-setup.ts",
  // Several tests wait on real room timers (a 15 s room, the last minute of a countdown).
  timeout: 60_000,
  expect: { timeout: 5_000 },
  // One at a time. On the 2-core machines this runs on, two workers' browsers and the one server
  // they share contended for the cores: a page load took 7 s, and tests that race a real clock
  // (a 15 s room, a 1-message-a-second limit, a 5 s wait for a pairing) failed in 2 of 3 runs
  // of the suite, the slower of which took 10.3 min. One at a time, it passed in 8.6 min.
  workers: 1,
  reporter: [["list"]],
  use: {
    ...devices["Desktop Chrome"],
    baseURL: process.env.E2E_BASE_URL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
    },
  },
});
