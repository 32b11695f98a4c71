/**
 * How the log lays out its lines: which messages open a group under a name-and-time header, and
 * where a day separator goes. Pure, so the rules are tested without a browser.
 */

/** Consecutive messages from one person closer together than this share one header. */
export const GROUP_WINDOW_MS = 5 * 60_000;

export type LogLine =
  /** `author` names one person (null when nobody can tell who sent it, which never groups). */
  { kind: "message"; author: string | null; timestamp: number } | { kind: "notice" };

export interface LinePlacement {
  /** A day label ("Today", "Yesterday", "Sat 5 Dec") to show above this line, if the date changed. */
  day: string | null;
  /** True when the line continues the message above it: no header of its own. */
  continues: boolean;
}

export interface LogClock {
  /** "4:18 PM" or "16:18": the reader's locale, no leading zero. */
  time(timestamp: number): string;
  /** The calendar day of a moment in the reader's time zone, comparable with `===`. */
  dayKey(timestamp: number): string;
  /** "Today", "Yesterday", or the date ("Sat 5 Dec", with the year when it is not this year's). */
  dayLabel(timestamp: number, now: number): string;
}

/** Formats for one locale and time zone; the browser's own unless given (tests fix both). */
export function createLogClock(locale?: string, timeZone?: string): LogClock {
  const time = new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone });
  // en-CA writes dates as YYYY-MM-DD: a key that sorts and compares as text.
  const key = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone });
  const date = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", timeZone });
  const dateWithYear = new Intl.DateTimeFormat(locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone,
  });
  const dayKey = (timestamp: number) => key.format(timestamp);
  return {
    time: (timestamp) => time.format(timestamp),
    dayKey,
    dayLabel(timestamp, now) {
      const day = dayKey(timestamp);
      const today = dayKey(now);
      if (day === today) return "Today";
      if (day === previousDay(today)) return "Yesterday";
      return day.slice(0, 4) === today.slice(0, 4) ? date.format(timestamp) : dateWithYear.format(timestamp);
    },
  };
}

/** The calendar day before a YYYY-MM-DD key, by calendar arithmetic (a DST day is not 24 hours). */
function previousDay(key: string): string {
  const [year, month, day] = key.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day - 1)).toISOString().slice(0, 10);
}

/**
 * Places each line of the log. The first message gets the day it was sent, shown above the
 * log's first line (a notice before any message, "bob joined", belongs to that day's start); a
 * later message gets a separator when its date differs from the previous message's (notices
 * carry no time and never start a day of their own). A message continues the one above when the
 * same person sent both within GROUP_WINDOW_MS on the same day and nothing (a notice) came between.
 */
export function placeLines(lines: readonly LogLine[], clock: LogClock, now: number): LinePlacement[] {
  const placements = placeEach(lines, clock, now);
  const first = lines.findIndex((line) => line.kind === "message");
  if (first > 0) {
    placements[0] = { ...placements[0]!, day: placements[first]!.day };
    placements[first] = { ...placements[first]!, day: null };
  }
  return placements;
}

function placeEach(lines: readonly LogLine[], clock: LogClock, now: number): LinePlacement[] {
  let previousKey: string | null = null;
  let above: LogLine | null = null;
  return lines.map((line) => {
    if (line.kind === "notice") {
      above = line;
      return { day: null, continues: false };
    }
    const key = clock.dayKey(line.timestamp);
    const newDay = key !== previousKey;
    previousKey = key;
    const previous: LogLine | null = above;
    above = line;
    const continues =
      !newDay &&
      previous?.kind === "message" &&
      line.author !== null &&
      previous.author === line.author &&
      line.timestamp - previous.timestamp < GROUP_WINDOW_MS;
    return { day: newDay ? clock.dayLabel(line.timestamp, now) : null, continues };
  });
}
