import { recordFields } from "../redis/framing";
import type { AccountEvent, ChatEntry } from "./types";

/**
 * Between Redis and the directory. An entry is stored in its account's hash under its chat id as
 * one record, `lastActivityAt|expiresAt|unread|partnerId` (written by the touch script), the
 * partner last so the scripts read the numbers by one pattern. Published events are a one-letter
 * type followed by the body: `e<chatId>|<record>`, `r<chatId>`, `p<here>|<lastSeen>|<accountId>`.
 */
export function decodeEntry(chatId: string, record: string): ChatEntry {
  const fields = recordFields(record, 4, "|");
  if (!fields) throw new Error("malformed chat entry");
  const [lastActivityAt, expiresAt, unread, partnerId] = fields;
  return {
    chatId,
    partnerId: partnerId!,
    lastActivityAt: Number(lastActivityAt),
    expiresAt: Number(expiresAt),
    unread: Number(unread),
  };
}

/** One line of the read script's reply: `chatId|record` (a chat id holds no '|'). */
export function decodeEntryLine(line: string): ChatEntry {
  const bar = line.indexOf("|");
  if (bar < 1) throw new Error("malformed chat entry");
  return decodeEntry(line.slice(0, bar), line.slice(bar + 1));
}

export function encodeEntry(entry: ChatEntry): string {
  return `${entry.lastActivityAt}|${entry.expiresAt}|${entry.unread}|${entry.partnerId}`;
}

export function encodeAccountEvent(event: Exclude<AccountEvent, { type: "resync" }>): string {
  switch (event.type) {
    case "entry":
      return `e${event.entry.chatId}|${encodeEntry(event.entry)}`;
    case "removed":
      return `r${event.chatId}`;
    case "presence":
      return `p${event.presence.here ? 1 : 0}|${event.presence.lastSeen ?? 0}|${event.accountId}`;
  }
}

export function decodeAccountEvent(payload: string): AccountEvent {
  switch (payload[0]) {
    case "e": {
      const bar = payload.indexOf("|");
      if (bar < 0) break;
      return { type: "entry", entry: decodeEntry(payload.slice(1, bar), payload.slice(bar + 1)) };
    }
    case "r":
      return { type: "removed", chatId: payload.slice(1) };
    case "p": {
      const fields = recordFields(payload.slice(1), 3, "|");
      if (!fields) break;
      const [here, lastSeen, accountId] = fields;
      return {
        type: "presence",
        accountId: accountId!,
        presence: { here: here === "1", lastSeen: Number(lastSeen) || null },
      };
    }
  }
  throw new Error(`malformed account event ${JSON.stringify(payload[0])}`);
}
