import { describe, expect, it } from "vitest";
import { chatNoticeText, formatTimeLeft, presenceText, timeLeftChangesIn } from "./direct-chat";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe("a message's time left", () => {
  it("reads in the largest units that matter, seconds only at the end", () => {
    expect(formatTimeLeft(HOUR - 1)).toBe("1h");
    expect(formatTimeLeft(HOUR - MINUTE)).toBe("59m");
    expect(formatTimeLeft(59 * MINUTE + 1)).toBe("1h");
    expect(formatTimeLeft(58 * MINUTE + 30 * SECOND)).toBe("59m");
    expect(formatTimeLeft(4 * MINUTE + 12 * SECOND)).toBe("4m 12s");
    expect(formatTimeLeft(4 * MINUTE + 11 * SECOND + 1)).toBe("4m 12s");
    expect(formatTimeLeft(9 * SECOND)).toBe("9s");
    expect(formatTimeLeft(1)).toBe("1s");
    expect(formatTimeLeft(-5)).toBe("0s");
    expect(formatTimeLeft(24 * HOUR)).toBe("1d");
    expect(formatTimeLeft(24 * HOUR - MINUTE)).toBe("23h 59m");
    expect(formatTimeLeft(7 * 24 * HOUR - HOUR)).toBe("6d 23h");
  });

  it("says when the text will next change", () => {
    expect(timeLeftChangesIn(4 * MINUTE + 12 * SECOND + 300)).toBe(300);
    expect(timeLeftChangesIn(4 * MINUTE)).toBe(SECOND);
    expect(timeLeftChangesIn(30 * MINUTE + 20 * SECOND)).toBe(20 * SECOND);
    expect(timeLeftChangesIn(30 * MINUTE)).toBe(MINUTE);
    // The last minutes before seconds show tick by the second, so "5m" turns into "4m 59s" on time.
    expect(timeLeftChangesIn(5 * MINUTE + 30 * SECOND)).toBe(SECOND);
    for (let ms = 1; ms < 3 * HOUR; ms += 7919) {
      const text = formatTimeLeft(ms);
      const stable = timeLeftChangesIn(ms);
      expect(formatTimeLeft(ms - stable + 1), `at ${ms}`).toBe(text);
    }
  });
});

describe("direct chat wording", () => {
  it("names whoever changed the timer or cleared the chat", () => {
    expect(chatNoticeText({ kind: "timer", timerSeconds: 86_400 }, "alice")).toBe(
      "alice set disappearing messages to 24 hours",
    );
    expect(chatNoticeText({ kind: "timer", timerSeconds: 10 }, "alice")).toBe(
      "alice set disappearing messages to 10 seconds",
    );
    expect(chatNoticeText({ kind: "cleared" }, "bob")).toBe("bob cleared the chat");
  });

  it("says online, when they were last seen, or nothing", () => {
    const now = 1_700_000_000_000;
    expect(presenceText({ here: true, lastSeenAgoMs: null }, now)).toBe("online");
    expect(presenceText({ here: false, lastSeenAgoMs: 5 * MINUTE }, now)).toBe("last seen 5 min ago");
    expect(presenceText({ here: false, lastSeenAgoMs: 10 * SECOND }, now)).toBe("last seen just now");
    expect(presenceText({ here: false, lastSeenAgoMs: null }, now)).toBe("");
  });
});
