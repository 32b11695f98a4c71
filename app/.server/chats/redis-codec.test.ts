import { describe, expect, it } from "vitest";
import { decodeAccountEvent, decodeEntry, decodeEntryLine, encodeAccountEvent, encodeEntry } from "./redis-codec";
import type { AccountEvent } from "./types";

describe("the chat directory's Redis codec", () => {
  it("gives back every event it encodes, whatever the ids hold", () => {
    const events: Array<Exclude<AccountEvent, { type: "resync" }>> = [
      {
        type: "entry",
        entry: { chatId: "abc", partnerId: "odd|id|", lastActivityAt: 1, expiresAt: 2_000_000_000_000, unread: 12 },
      },
      { type: "removed", chatId: "abc" },
      { type: "presence", accountId: "p|q", presence: { here: true, lastSeen: null } },
      { type: "presence", accountId: "p", presence: { here: false, lastSeen: 1_700_000_000_123 } },
    ];
    for (const event of events) expect(decodeAccountEvent(encodeAccountEvent(event))).toEqual(event);
  });

  it("stores an entry as its numbers, then its partner", () => {
    const entry = { chatId: "c", partnerId: "u-1", lastActivityAt: 10, expiresAt: 20, unread: 3 };
    expect(encodeEntry(entry)).toBe("10|20|3|u-1");
    expect(decodeEntry("c", "10|20|3|u-1")).toEqual(entry);
    expect(decodeEntryLine("c|10|20|3|u-1")).toEqual(entry);
  });

  it("refuses what it cannot read", () => {
    expect(() => decodeEntry("c", "10|20")).toThrow(/malformed/);
    expect(() => decodeEntryLine("10|20|3|u-1")).toThrow(/malformed/);
    expect(() => decodeEntryLine("|10|20|3|u-1")).toThrow(/malformed/);
    expect(() => decodeAccountEvent("x1")).toThrow(/malformed/);
  });
});
