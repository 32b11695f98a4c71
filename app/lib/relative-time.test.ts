import { describe, expect, it } from "vitest";
import { timeAgo } from "./relative-time";

const now = new Date("2026-12-06T12:00:00Z");
const before = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe("timeAgo", () => {
  it.each([
    [0, "just now"],
    [59, "just now"],
    [60, "1 min ago"],
    [3 * 60 + 20, "3 min ago"],
    [3600, "1 h ago"],
    [23 * 3600, "23 h ago"],
    [24 * 3600, "1 day ago"],
    [30 * 86_400, "30 days ago"],
  ])("%i s before reads %j", (seconds, text) => {
    expect(timeAgo(before(seconds), now)).toBe(text);
  });

  it("reads a time a little ahead (clocks differ) as just now", () => {
    expect(timeAgo(new Date(now.getTime() + 5000), now)).toBe("just now");
  });
});
