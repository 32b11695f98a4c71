/**
 * What both stores refuse before opening or changing a direct chat: a caller's bug, not a
 * person's input (the chat router validates that), so a plain error rather than a 4xx.
 */

/** A timer is stored in each record and notice as whole milliseconds. */
export function checkTimer(timerMs: number): void {
  if (!Number.isSafeInteger(timerMs) || timerMs <= 0) throw new RangeError("timerMs must be a positive whole number");
}

export function checkDirectChat(members: [string, string], timerMs: number): void {
  if (!members[0] || !members[1] || members[0] === members[1])
    throw new RangeError("a direct chat needs two different members");
  checkTimer(timerMs);
}
