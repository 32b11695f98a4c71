import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next";

describe("safeNextPath", () => {
  it("keeps a path on this site, query and fragment included", () => {
    expect(safeNextPath("/account")).toBe("/account");
    expect(safeNextPath("/room/abc?x=1#key")).toBe("/room/abc?x=1#key");
  });

  it.each([
    null,
    "",
    "account",
    "//evil.example/",
    "/\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\tevil",
    "/signin?next=/account",
    "/signup",
  ])("sends %j to the lobby", (next) => {
    expect(safeNextPath(next)).toBe("/");
  });
});
