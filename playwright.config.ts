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
  workers: 2,
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
