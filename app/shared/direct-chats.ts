/**
 * Direct chats' vocabulary, shared by the `chat` procedures, the pages' loaders and the browser.
 * Imports nothing: the browser bundle includes it.
 */

/** A new chat's disappearing timer: each message goes an hour after it was sent. */
export const DEFAULT_CHAT_TIMER_SECONDS = 3600;

/** The timers a person can choose (the server may add a shorter one for tests). */
export const CHAT_TIMER_CHOICES = [300, 3600, 86_400, 604_800] as const;

const TIMER_LABELS: Record<number, string> = {
  300: "5 minutes",
  3600: "1 hour",
  86_400: "24 hours",
  604_800: "7 days",
};

/** "5 minutes", "1 hour", "24 hours", "7 days"; any other timer in plain seconds, minutes or hours. */
export function chatTimerLabel(seconds: number): string {
  const known = TIMER_LABELS[seconds];
  if (known) return known;
  const [amount, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, "hour"]
      : seconds % 60 === 0
        ? [seconds / 60, "minute"]
        : [seconds, "second"];
  return `${amount} ${unit}${amount === 1 ? "" : "s"}`;
}

/** A public key of an account, as the server stores it (never a private one). */
export interface AccountPublicKey {
  algorithm: string;
  /** Raw public key, base64url. */
  publicKey: string;
}

/** What opening a chat with someone gives the browser (`chat.open`, the chat page's loader). */
export interface ChatOpened {
  chatId: string;
  me: { username: string; seat: number };
  partner: { username: string; publicKeys: AccountPublicKey[] };
  timerSeconds: number;
  /** Seconds, the choices the server accepts for `chat.setTimer`. */
  timerChoices: number[];
  /** Blocked by the partner is refused instead (FORBIDDEN), and says no more. */
  blocked: "none" | "by-me";
}

/** An account's presence as its chat partners see it. */
export interface ChatPresence {
  here: boolean;
  /** How long ago their last stream closed, as of when the server answered; null when unknown. */
  lastSeenAgoMs: number | null;
}

/** One chat in the list. */
export interface ChatListItem {
  chatId: string;
  /** Null: the partner's account was deleted. */
  partner: { username: string } | null;
  /** The last message or notice, ms since epoch (the server's clock). */
  lastActivityAt: number;
  unread: number;
  presence: ChatPresence;
}

/** What `chat.events` streams to every tab of an account. */
export type ChatEvent =
  /** A chat appeared or changed (a message, a read, a notice): the whole item again. */
  | { type: "chat"; chat: ChatListItem }
  /** A chat went (cleared away, expired, the partner deleted their account). */
  | { type: "removed"; chatId: string }
  /** A partner came or went. */
  | { type: "presence"; username: string; here: boolean; lastSeenAgoMs: number | null };

/** People found by `chat.search`: at most this many. */
export const CHAT_SEARCH_MAX_RESULTS = 10;
/** A search shorter than this finds only the exact name. */
export const CHAT_SEARCH_MIN_PREFIX = 2;
