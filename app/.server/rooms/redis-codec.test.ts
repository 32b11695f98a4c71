import { describe, expect, it } from "vitest";
import { decodeEvent, decodeStoredMessage } from "./redis-codec";

describe("stored message records", () => {
  it("reads id|author|time|clientId|ciphertext, the ciphertext being everything after the fourth bar", () => {
    expect(decodeStoredMessage("12|2|1732212345678|c-1_x|AAAA-_zz")).toEqual({
      id: 12,
      author: 2,
      timestamp: 1732212345678,
      clientId: "c-1_x",
      ciphertext: "AAAA-_zz",
    });
    // The store does not check what a ciphertext looks like; a bar in it must not shift anything.
    expect(decodeStoredMessage("1|1|5||a|b|c")).toEqual({ id: 1, author: 1, timestamp: 5, ciphertext: "a|b|c" });
  });

  it("still reads messages stored as JSON by the version before (a deploy mid-conversation)", () => {
    expect(decodeStoredMessage('{"id":3,"a":1,"x":"sealed","ts":99,"c":"abc"}')).toEqual({
      id: 3,
      author: 1,
      timestamp: 99,
      clientId: "abc",
      ciphertext: "sealed",
    });
  });

  it("refuses a record cut short, rather than inventing fields", () => {
    expect(() => decodeStoredMessage("1|2|3")).toThrow("malformed stored message");
  });

  it("decodes a published message the same way", () => {
    expect(decodeEvent("m7|1|10|id-7|XYZ")).toEqual({
      type: "message",
      message: { id: 7, author: 1, timestamp: 10, clientId: "id-7", ciphertext: "XYZ" },
    });
  });

  it("reads a direct chat's records: a message and each notice, with their expiry", () => {
    expect(decodeStoredMessage("e1732215945678|12|2|1732212345678|c-1|AA|BB")).toEqual({
      id: 12,
      author: 2,
      timestamp: 1732212345678,
      clientId: "c-1",
      ciphertext: "AA|BB",
      expiresAt: 1732215945678,
    });
    expect(decodeStoredMessage("n1732215945678|13|1|1732212345678||t300000")).toEqual({
      id: 13,
      author: 1,
      timestamp: 1732212345678,
      ciphertext: "",
      expiresAt: 1732215945678,
      notice: { kind: "timer", timerMs: 300_000 },
    });
    expect(decodeStoredMessage("n9|14|2|5||c")).toEqual({
      id: 14,
      author: 2,
      timestamp: 5,
      ciphertext: "",
      expiresAt: 9,
      notice: { kind: "cleared" },
    });
    expect(() => decodeStoredMessage("n9|14|2|5||x")).toThrow("malformed notice");
    expect(() => decodeStoredMessage("e9|14|2|5")).toThrow("malformed stored message");
  });

  it("decodes a cleared chat's event", () => {
    expect(decodeEvent("c41")).toEqual({ type: "cleared", upTo: 41 });
    expect(decodeEvent("x2:1000003")).toEqual({ type: "lost", after: 2, before: 1_000_003 });
  });
});
