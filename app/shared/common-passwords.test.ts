import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PASSWORD_MAX_LENGTH, PASSWORD_PROBLEMS, passwordProblem } from "./common-passwords";

/** Each password gets the problem (the password is in the comparison so a failure names it). */
function expectProblem(passwords: string[], problem: string | null) {
  for (const password of passwords) {
    expect({ password, problem: passwordProblem(password) }).toEqual({ password, problem });
  }
}

describe("passwordProblem", () => {
  it("lets through passwords of 10 characters or more that nobody would try first", () => {
    expectProblem(
      [
        "correct horse battery",
        "Tr0ub4dor&3x",
        "kettle-osprey-91",
        "mauve lantern ridge",
        "x7#Lq9!vB2pz",
        "ünïcødé wörds",
        "dragonfly meadow",
      ],
      null,
    );
  });

  it("counts characters as people see them, and caps the length", () => {
    expect(passwordProblem("123456789")).toBe(PASSWORD_PROBLEMS.tooShort);
    expect(passwordProblem("short")).toBe(PASSWORD_PROBLEMS.tooShort);
    // Nine emoji are 18 UTF-16 units but nine characters.
    expect(passwordProblem("🦊🐙🦉🐝🦋🐢🦀🐳🦔")).toBe(PASSWORD_PROBLEMS.tooShort);
    expect(passwordProblem("🦊🐙🦉🐝🦋🐢🦀🐳🦔🐧")).toBeNull();
    expect(passwordProblem("ab3".repeat(PASSWORD_MAX_LENGTH))).toBe(PASSWORD_PROBLEMS.tooLong);
  });

  it("refuses passwords from the leaked lists, in any case", () => {
    expectProblem(
      ["zaq12wsxcde3", "QWEASDZXC123", "iloveyouforever", "CorrectHorseBatteryStaple", "trustno1trustno1"],
      PASSWORD_PROBLEMS.common,
    );
  });

  it("refuses a common word padded with digits and symbols, or dressed in leetspeak", () => {
    expectProblem(
      [
        "password123",
        "Password2024!",
        "P@ssw0rd123",
        "123password",
        "!!iloveyou!!",
        "Summer2024!",
        "football12",
        "Monkey#12345",
        "l3tm31n2024",
        "basketball",
        "dragondragon",
      ],
      PASSWORD_PROBLEMS.common,
    );
  });

  it("refuses a few characters repeated", () => {
    expectProblem(
      ["aaaaaaaaaa", "1111111111", "abababababab", "abcabcabca", "x1!x1!x1!x1!", "ZzZzZzZzZz"],
      PASSWORD_PROBLEMS.repeated,
    );
  });

  it("refuses runs along the keyboard, the alphabet or the digits, either way", () => {
    expectProblem(
      ["1234567890", "0987654321", "qwertyuiop", "POIUYTREWQ", "abcdefghijk", "asdfghjklzx", "1qaz2wsx3edc4"],
      PASSWORD_PROBLEMS.run,
    );
  });

  it("refuses a password that is little more than the username", () => {
    expect(passwordProblem("Alice_2024!", "alice_")).toBe(PASSWORD_PROBLEMS.username);
    expect(passwordProblem("zebrafinch99", "ZebraFinch")).toBe(PASSWORD_PROBLEMS.username);
    // The name inside a long, otherwise unguessable password is fine.
    expect(passwordProblem("zebrafinch sings at dawn", "zebrafinch")).toBeNull();
  });

  it("imports nothing and stays small, since the browser bundle carries it", () => {
    const source = readFileSync(new URL("./common-passwords.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(Buffer.byteLength(source)).toBeLessThan(30_000);
  });
});
