import { LAST_PARTNER_COOLDOWN_MS } from "~/shared/match-events";
import type { MatchHourStats } from "./types";

/** Histogram bucket upper bounds, in seconds: coarse on purpose, it is all that is kept. */
export const WAIT_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, Infinity] as const;
export const CHAT_BUCKETS = [10, 30, 60, 120, 300, 600, 1800, 3600, 86_400, Infinity] as const;

/** After a chat, a visitor's record (their last partner, not to be matched again right away) lasts this long. */
export const FORGET_AFTER_MS = LAST_PARTNER_COOLDOWN_MS;

/** Stats are kept per hour, for two days. */
export const STATS_RETENTION_MS = 48 * 3_600_000;

export const hourOf = (epochMs: number) => Math.floor(epochMs / 3_600_000);
export const endOfUtcDay = (epochMs: number) => (Math.floor(epochMs / 86_400_000) + 1) * 86_400_000;

/** Index of the bucket a duration falls in. */
export function bucketOf(buckets: readonly number[], seconds: number): number {
  const index = buckets.findIndex((bound) => seconds <= bound);
  return index === -1 ? buckets.length - 1 : index;
}

/** The upper bound of the bucket holding the median, or null when nothing was counted. */
export function medianOf(buckets: readonly number[], counts: readonly number[]): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [index, count] of counts.entries()) {
    seen += count;
    if (seen * 2 >= total) return buckets[index] ?? null;
  }
  return null;
}

/** Reads a stats hash (`m` matches, `w<i>` wait buckets, `c<i>` chat buckets). */
export function statsFromFields(fields: Record<string, string>): MatchHourStats {
  const counts = (prefix: string, buckets: readonly number[]) =>
    buckets.map((_, index) => Number(fields[`${prefix}${index}`] ?? 0));
  return {
    matches: Number(fields.m ?? 0),
    medianWaitSeconds: medianOf(WAIT_BUCKETS, counts("w", WAIT_BUCKETS)),
    medianChatSeconds: medianOf(CHAT_BUCKETS, counts("c", CHAT_BUCKETS)),
  };
}
