import { chatTimerLabel } from "~/shared/direct-chats";
import type { ChatNoticeView } from "~/shared/room-events";
import { timeAgo } from "./relative-time";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** Under this, the time left counts seconds: the message is about to go. */
const SECONDS_FROM = 5 * MINUTE;

/**
 * A message's time left, short enough for beside a bubble: "6d 23h", "23h 59m", "59m", "4m 12s",
 * "9s". Rounded up, so nothing reads "0s" while it is still on screen.
 */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / SECOND));
  if (seconds < 60) return `${seconds}s`;
  if (seconds * SECOND < SECONDS_FROM) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

/** How long `formatTimeLeft(ms)` keeps saying the same thing (at least a few milliseconds). */
export function timeLeftChangesIn(ms: number): number {
  if (ms <= 0) return MINUTE;
  const step = ms <= SECONDS_FROM + MINUTE ? SECOND : MINUTE;
  return ms % step || step;
}

/** A direct chat's notice in words, naming whoever did it. */
export function chatNoticeText(notice: ChatNoticeView, who: string): string {
  return notice.kind === "timer"
    ? `${who} set disappearing messages to ${chatTimerLabel(notice.timerSeconds)}`
    : `${who} cleared the chat`;
}

/** "online", "last seen 5 min ago", or nothing when nobody knows. */
export function presenceText(presence: { here: boolean; lastSeenAgoMs: number | null }, now = Date.now()): string {
  if (presence.here) return "online";
  if (presence.lastSeenAgoMs === null) return "";
  return `last seen ${timeAgo(new Date(now - presence.lastSeenAgoMs), new Date(now))}`;
}
