import type { ChatEvent, ChatListItem } from "~/shared/direct-chats";

/** A chat in the list as this browser shows it: the partner's last visit on this browser's clock. */
export interface ChatRow {
  chatId: string;
  /** Null: the partner's account was deleted. */
  partner: string | null;
  lastActivityAt: number;
  unread: number;
  here: boolean;
  /** When the partner was last here (this browser's clock), null when unknown or here now. */
  lastSeenAt: number | null;
}

function rowOf(item: ChatListItem, receivedAt: number): ChatRow {
  const { presence } = item;
  return {
    chatId: item.chatId,
    partner: item.partner?.username ?? null,
    lastActivityAt: item.lastActivityAt,
    unread: item.unread,
    here: presence.here,
    lastSeenAt: presence.lastSeenAgoMs === null ? null : receivedAt - presence.lastSeenAgoMs,
  };
}

const newestFirst = (a: ChatRow, b: ChatRow) => b.lastActivityAt - a.lastActivityAt;

/** The list as `chat.list` answered it at `receivedAt`, newest activity first. */
export function chatRows(items: readonly ChatListItem[], receivedAt: number): ChatRow[] {
  return items.map((item) => rowOf(item, receivedAt)).sort(newestFirst);
}

/** One `chat.events` event folded into the list. */
export function applyChatEvent(rows: readonly ChatRow[], event: ChatEvent, receivedAt: number): ChatRow[] {
  switch (event.type) {
    case "chat": {
      const row = rowOf(event.chat, receivedAt);
      return [row, ...rows.filter((other) => other.chatId !== row.chatId)].sort(newestFirst);
    }
    case "removed":
      return rows.filter((row) => row.chatId !== event.chatId);
    case "presence": {
      const username = event.username.toLowerCase();
      const lastSeenAt = event.here || event.lastSeenAgoMs === null ? null : receivedAt - event.lastSeenAgoMs;
      return rows.map((row) =>
        row.partner?.toLowerCase() === username ? { ...row, here: event.here, lastSeenAt } : row,
      );
    }
  }
}

/**
 * The partner whose new message this event brings (their chat's unread count rose), for a
 * notification; null for anything else (a read, an own message, a notice).
 */
export function newMessageFrom(rows: readonly ChatRow[], event: ChatEvent): string | null {
  if (event.type !== "chat" || !event.chat.partner) return null;
  const before = rows.find((row) => row.chatId === event.chat.chatId)?.unread ?? 0;
  return event.chat.unread > before ? event.chat.partner.username : null;
}
