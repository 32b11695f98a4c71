import { expect, test } from "./fixtures";
import type { Page } from "@playwright/test";
import { createRoomFromLobby, joinRoom } from "./helpers";

test("an anonymous name is made on first visit, kept, editable, and used in the room", async ({ people }) => {
  const alice = await people.join();
  const bob = await people.join();
  await alice.goto("/");
  const name = alice.getByRole("textbox", { name: "Your name" });
  await expect(name).toHaveValue(/^[a-z]+-anonymous-[0-9a-z]{5}$/);
  const generated = await name.inputValue();

  await alice.reload();
  await expect(name).toHaveValue(generated);
  await alice.getByRole("button", { name: "Pick a new random name" }).click();
  await expect(name).not.toHaveValue(generated);
  await name.fill("Alice in Chains");
  await alice.reload();
  await expect(name).toHaveValue("Alice in Chains");

  const url = await createRoomFromLobby(alice);
  await joinRoom(bob, url, alice);
  await alice.getByRole("textbox", { name: "Message" }).fill("who am I?");
  await alice.keyboard.press("Enter");
  await expect(bob.getByRole("log").locator("article")).toContainText("Alice in Chains");
});

test("the lifetime chosen in the lobby is the room's, shown as h:mm:ss past an hour", async ({ people }) => {
  const page = await people.join();
  await page.goto("/");
  await expect(page.getByRole("radio", { name: "10 minutes" })).toBeChecked();
  await createRoomFromLobby(page, "1 hour");
  await expect(page.getByRole("timer")).toHaveText(/^(1:00:00|59:\d\d)$/);

  await createRoomFromLobby(page, "24 hours");
  await expect(page.getByRole("timer")).toHaveText(/^(24:00:00|23:59:\d\d)$/);

  await createRoomFromLobby(page, "5 minutes");
  await expect(page.getByRole("timer")).toHaveText(/^0[45]:\d\d$/);

  // The lobby remembers the last lifetime chosen in this browser, across a reload too.
  await page.goto("/");
  await expect(page.getByRole("radio", { name: "5 minutes" })).toBeChecked();
  await page.getByRole("radio", { name: "24 hours" }).check({ force: true });
  await page.reload();
  await expect(page.getByRole("radio", { name: "24 hours" })).toBeChecked();
});

test("the lobby says what happens to your data", async ({ people }) => {
  const page = await people.join();
  await page.goto("/");
  await expect(page.getByRole("region", { name: "What happens to your data" })).toContainText(
    "Nothing is kept after the room ends",
  );
});

/** The app's own requests a page makes from now on (not scripts, styles or icons), rooms as `:id`. */
function recordRequests(page: Page): string[] {
  const requests: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/assets/") || url.pathname === "/favicon.svg") return;
    const path = url.pathname.replace(/\/room\/[^/]+$/, "/room/:id");
    requests.push(
      url.pathname.startsWith("/api/trpc/") ? path : `${path}${url.searchParams.has("_data") ? "?_data" : ""}`,
    );
  });
  return requests;
}

test("arriving in a room costs one request for its data or page, then its event stream and its name: no route discovery, no extra queries", async ({
  people,
}) => {
  const [alice, bob] = [await people.join(), await people.join()];
  const byAlice = recordRequests(alice);
  const byBob = recordRequests(bob);
  const url = await createRoomFromLobby(alice);
  await joinRoom(bob, url, alice);
  // The room's route is in the page's manifest from the start (decision 013), and the countdown
  // starts from the time left in the page's data, not from a query of its own.
  // Then each announces the name the other will see, sealed, once (decision 028).
  await expect
    .poll(() => byAlice.slice(byAlice.indexOf("/api/trpc/room.create")))
    .toEqual(["/api/trpc/room.create", "/room/:id?_data", "/api/trpc/room.events", "/api/trpc/room.setName"]);
  await expect.poll(() => byBob).toEqual(["/room/:id", "/api/trpc/room.events", "/api/trpc/room.setName"]);
});
