import { describe, expect, it } from "vitest";
import { pageJs, ROOM_PAGE_JS_BUDGET_BYTES } from "../../scripts/page-js";

describe("JavaScript shipped to the browser", () => {
  it("keeps the room page under its gzipped budget", () => {
    const room = pageJs("routes/room.$roomId");
    expect(room.files.some((file) => file.url.includes("room._roomId"))).toBe(true);
    expect(room.gzipBytes).toBeGreaterThan(10_000);
    expect(room.gzipBytes).toBeLessThanOrEqual(ROOM_PAGE_JS_BUDGET_BYTES);
  });
});
