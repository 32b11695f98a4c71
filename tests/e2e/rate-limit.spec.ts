import { startAppServer, type AppServer } from "../support/app-server";
import { expect, test } from "./fixtures";
import { typeAndSend } from "./helpers";

test.describe("sending too fast", () => {
  let server: AppServer;
  test.beforeAll(async () => {
    server = await startAppServer({
      RATE_LIMITS: "on",
      RATE_LIMIT_MESSAGES_PER_SECOND: "1",
      RATE_LIMIT_MESSAGE_BURST: "0",
      LOG_LEVEL: "warn",
    });
  });
  test.afterAll(() => server?.stop());

  test("tells the person to slow down, and the retry goes through once allowed", async ({ people }) => {
    people.allowConsoleError(/status of 429/);
    const page = await people.join({ baseURL: server.url });
    await page.goto("/");
    await page.getByRole("button", { name: "Create room" }).click();
    await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();

    await typeAndSend(page, "first");
    await typeAndSend(page, "second, too soon");
    const refused = page.getByRole("log").locator("article", { hasText: "second, too soon" });
    await expect(refused).toHaveAttribute("data-status", "failed");
    await expect(refused.getByRole("alert")).toContainText("You are sending messages too fast. Slow down");

    await expect(async () => {
      await refused.getByRole("button", { name: "Retry" }).click({ timeout: 500 });
      await expect(refused).toHaveAttribute("data-status", "sent", { timeout: 500 });
    }).toPass({ timeout: 5000 });
    await expect(page.getByRole("log").locator("article")).toHaveCount(2);
  });
});
