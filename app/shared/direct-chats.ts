/** What the browser and the server both say about direct chats between accounts. */

/** How long a message lasts unless someone in the chat chose otherwise (seed 003: an hour). */
export const DEFAULT_CHAT_TIMER_SECONDS = 3600;

export const CHAT_TIMER_CHOICES = [
  { seconds: 300, label: "5 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 604_800, label: "7 days" },
] as const;

/** A timer's words, for choices beyond the usual (a test server may allow seconds). */
export function timerLabel(seconds: number): string {
  const known = CHAT_TIMER_CHOICES.find((choice) => choice.seconds === seconds);
  if (known) return known.label;
  if (seconds < 60) return `${seconds} seconds`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} minutes`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} hours`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** People found by `chat.search`: at most this many. */
export const CHAT_SEARCH_MAX_RESULTS = 10;
/** A search shorter than this finds only the exact name. */
export const CHAT_SEARCH_MIN_PREFIX = 2;

/** One public half of an account's identity, as the accounts store keeps it. */
export interface AccountPublicKey {
  algorithm: string;
  publicKey: string;
}

/** What opening a chat with someone gives the browser (`chat.open`, and the chat page's loader). */
export interface ChatOpened {
  chatId: string;
  me: { username: string; seat: number };
  partner: { username: string; publicKeys: AccountPublicKey[] };
  timerSeconds: number;
  /** Seconds; the usual four, and on a test server perhaps a shorter one. */
  timerChoices: number[];
  /** Blocked by the partner is refused instead ("You can't message this person"). */
  blocked: "none" | "by-me";
}

export interface ChatPresence {
  here: boolean;
  /** How long ago they were last here, as of when the server answered; null if unknown. */
  lastSeenAgoMs: number | null;
}

/** One chat in the list (`chat.list`, `chat.events`). */
export interface ChatListItem {
  chatId: string;
  /** Null when the partner's account was deleted. */
  partner: { username: string } | null;
  /** The last message or notice, ms since epoch on the server's clock. */
  lastActivityAt: number;
  unread: number;
  presence: ChatPresence;
}

/** Events on an account's one stream (`chat.events`). */
export type ChatEvent =
  | { type: "chat"; chat: ChatListItem }
  | { type: "removed"; chatId: string }
  | ({ type: "presence"; username: string } & ChatPresence);
