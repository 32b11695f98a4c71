import type { ChatEntry, ChatTouch } from "./types";

/**
 * The entry after a touch: activity and expiry only move later, so touches may land in any order.
 * An entry that had expired by the touch's activity is none: the chat started again.
 * (The Redis directory's touch script applies the same rule.)
 */
export function nextEntry(old: ChatEntry | undefined, touch: ChatTouch): ChatEntry {
  const live = old && old.expiresAt > touch.activityAt ? old : undefined;
  const unread = live?.unread ?? 0;
  return {
    chatId: touch.chatId,
    partnerId: touch.partnerId,
    lastActivityAt: Math.max(live?.lastActivityAt ?? 0, touch.activityAt),
    expiresAt: Math.max(live?.expiresAt ?? 0, touch.expiresAt),
    unread: touch.unread === "increment" ? unread + 1 : touch.unread === "clear" ? 0 : unread,
  };
}

/** A list's order: newest activity first, then by chat id so equal times keep one order. */
export function newestFirst(a: ChatEntry, b: ChatEntry): number {
  return b.lastActivityAt - a.lastActivityAt || (a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : 0);
}
