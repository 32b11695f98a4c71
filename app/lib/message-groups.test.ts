import { describe, expect, it } from "vitest";
import { createLogClock, placeLines, type LogLine } from "./message-groups";

const london = createLogClock("en-GB", "Europe/London");
const at = (iso: string) => Date.parse(iso);
const now = at("2026-12-06T12:00:00Z");
const message = (author: string | null, iso: string): LogLine => ({ kind: "message", author, timestamp: at(iso) });
const notice: LogLine = { kind: "notice" };
const continues = (lines: LogLine[]) => placeLines(lines, london, now).map((line) => line.continues);

describe("placeLines: grouping", () => {
  it("groups the same person's messages within five minutes under the first one's header", () => {
    const lines = [
      message("alice", "2026-12-06T10:00:00Z"),
      message("alice", "2026-12-06T10:01:00Z"),
      message("alice", "2026-12-06T10:05:59Z"),
    ];
    expect(continues(lines)).toEqual([false, true, true]);
  });

  it("starts a new group five minutes or more after the previous message", () => {
    const lines = [message("alice", "2026-12-06T10:00:00Z"), message("alice", "2026-12-06T10:05:00Z")];
    expect(continues(lines)).toEqual([false, false]);
  });

  it("starts a new group when the author changes", () => {
    const lines = [
      message("alice", "2026-12-06T10:00:00Z"),
      message("bob", "2026-12-06T10:00:10Z"),
      message("alice", "2026-12-06T10:00:20Z"),
    ];
    expect(continues(lines)).toEqual([false, false, false]);
  });

  it("lets a notice break a group", () => {
    const lines = [message("alice", "2026-12-06T10:00:00Z"), notice, message("alice", "2026-12-06T10:00:30Z")];
    expect(continues(lines)).toEqual([false, false, false]);
  });

  it("never groups a message whose author is unknown", () => {
    const lines = [message(null, "2026-12-06T10:00:00Z"), message(null, "2026-12-06T10:00:01Z")];
    expect(continues(lines)).toEqual([false, false]);
  });
});

describe("placeLines: day separators", () => {
  it("labels the first message's day and adds a separator when midnight passes between messages", () => {
    const placements = placeLines(
      [
        message("alice", "2026-12-05T23:58:00Z"),
        message("alice", "2026-12-05T23:59:00Z"),
        notice,
        message("alice", "2026-12-06T00:01:00Z"),
      ],
      london,
      now,
    );
    expect(placements).toEqual([
      { day: "Yesterday", continues: false },
      { day: null, continues: true },
      { day: null, continues: false },
      // Within five minutes of the one before, but on another day: a header of its own.
      { day: "Today", continues: false },
    ]);
  });

  it("shows the first day above notices that came before the first message", () => {
    const placements = placeLines([notice, notice, message("bob", "2026-12-06T10:00:00Z")], london, now);
    expect(placements.map((line) => line.day)).toEqual(["Today", null, null]);
    expect(placeLines([notice], london, now)).toEqual([{ day: null, continues: false }]);
  });

  it("judges midnight in the reader's time zone", () => {
    const newYork = createLogClock("en-US", "America/New_York");
    // 23:58 and 00:01 in London are 18:58 and 19:01 the same evening in New York.
    const lines = [message("alice", "2026-12-05T23:58:00Z"), message("alice", "2026-12-06T00:01:00Z")];
    expect(placeLines(lines, newYork, now).map((line) => line.day)).toEqual(["Yesterday", null]);
  });

  it("names older days by date, with the year only when it is not this year's", () => {
    expect(london.dayLabel(at("2026-12-03T09:00:00Z"), now)).toBe("Thu 3 Dec");
    expect(london.dayLabel(at("2025-12-31T09:00:00Z"), at("2026-01-02T09:00:00Z"))).toBe("Wed, 31 Dec 2025");
    expect(london.dayLabel(at("2026-01-01T09:00:00Z"), at("2026-01-02T09:00:00Z"))).toBe("Yesterday");
  });

  it("counts yesterday by the calendar across a daylight-saving change", () => {
    // London's clocks went back on 25 October 2026: that Sunday had 25 hours.
    expect(london.dayLabel(at("2026-10-24T22:30:00Z"), at("2026-10-26T00:30:00Z"))).toBe("Sat 24 Oct");
    expect(london.dayLabel(at("2026-10-25T00:30:00Z"), at("2026-10-26T00:30:00Z"))).toBe("Yesterday");
  });
});

describe("createLogClock: times", () => {
  it.each([
    ["en-US", "America/New_York", "2026-12-06T21:18:00Z", "4:18 PM"],
    ["en-US", "America/New_York", "2026-12-06T14:05:00Z", "9:05 AM"],
    ["en-GB", "Europe/London", "2026-12-06T16:18:00Z", "16:18"],
    ["de-DE", "Europe/Berlin", "2026-12-06T08:05:00Z", "9:05"],
  ])("%s in %s shows %s as %j, without a leading zero", (locale, zone, iso, text) => {
    // ICU may put a narrow no-break space before AM/PM.
    expect(createLogClock(locale, zone).time(at(iso)).replace(/\s/u, " ")).toBe(text);
  });
});
