import { describe, expect, it } from "vitest";
import { checkUsername, normalizeUsername } from "./username";

describe("checkUsername", () => {
  it("accepts 3 to 24 letters, digits and underscores, stored lowercase", () => {
    expect(checkUsername("Alice_01")).toEqual({ ok: true, username: "alice_01" });
    expect(checkUsername("bob")).toEqual({ ok: true, username: "bob" });
    expect(checkUsername("a".repeat(24))).toEqual({ ok: true, username: "a".repeat(24) });
  });

  it("says what is wrong with a name it refuses", () => {
    expect(checkUsername("ab")).toEqual({ ok: false, problem: "A username needs at least 3 characters." });
    expect(checkUsername("a".repeat(25))).toEqual({ ok: false, problem: "A username has at most 24 characters." });
    const problem = "A username may hold only letters a-z, digits and underscores.";
    for (const bad of ["al ice", "alice!", "al-ice", "zoë_x", "alice\n", " alice"]) {
      expect(checkUsername(bad)).toEqual({ ok: false, problem });
    }
  });

  it("refuses letters that lowercase into ASCII, so no look-alike takes another's name", () => {
    // U+212A KELVIN SIGN lowercases to "k"; U+0130 lowercases to "i" plus a combining dot.
    expect("\u212Aate".toLowerCase()).toBe("kate");
    expect(checkUsername("\u212Aate").ok).toBe(false);
    expect(checkUsername("\u0130van").ok).toBe(false);
  });
});

describe("normalizeUsername", () => {
  it("maps every casing of a name to one form, and a bad name to null", () => {
    expect(normalizeUsername("ALICE")).toBe("alice");
    expect(normalizeUsername("aLiCe")).toBe("alice");
    expect(normalizeUsername("a")).toBeNull();
  });
});
