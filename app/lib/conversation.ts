import type { OutgoingImage } from "./outbox";
import type { ChatMessage } from "./chat-message";

/**
 * A send the server has not confirmed yet: `sending` while the outbox works on it, `queued` while
 * it waits for the network to come back, `failed` when the server refused it (Retry resends).
 */
export interface PendingMessage {
  clientId: string;
  sender: string;
  text: string;
  timestamp: number;
  status: "sending" | "queued" | "failed";
  error?: string;
  image?: OutgoingImage;
}

/** A system line in the log ("… joined"), placed after the message that was newest when it happened. */
export interface Notice {
  key: string;
  text: string;
  afterId: number;
}

export interface Conversation {
  /** Stored messages, ordered by event id, each once. */
  confirmed: ChatMessage[];
  /** Own sends in the order they were made, until their stored message arrives. */
  pending: PendingMessage[];
  notices: Notice[];
}

export const emptyConversation: Conversation = { confirmed: [], pending: [], notices: [] };

/**
 * Adds a stored message, whichever way it arrived first (the event stream or the send's own
 * response): a repeat is ignored, and the pending bubble it confirms is replaced, not doubled.
 * After a failover lost some messages (`markLost`), a resent one (the same sender and clientId)
 * takes the place of the copy shown before, and a message under an id shown for another (a server
 * that reused ids) replaces it: an own one it displaces is not sent after all.
 */
export function confirm(conversation: Conversation, message: ChatMessage): Conversation {
  let pending = conversation.pending.some((item) => item.clientId === message.clientId && message.mine)
    ? conversation.pending.filter((item) => item.clientId !== message.clientId)
    : conversation.pending;
  let { confirmed } = conversation;
  const same = confirmed.find((item) => item.id === message.id);
  if (same && sameMessage(same, message)) {
    return pending === conversation.pending ? conversation : { ...conversation, pending };
  }
  if (same) {
    confirmed = confirmed.filter((item) => item !== same);
    const unsent = notSent(same);
    if (unsent) pending = [...pending, unsent];
  }
  if (message.clientId) {
    const earlier = confirmed.find(
      (item) => item.clientId === message.clientId && item.mine === message.mine && item.id !== message.id,
    );
    if (earlier) confirmed = confirmed.filter((item) => item !== earlier);
  }
  const last = confirmed[confirmed.length - 1];
  if (!last || last.id < message.id) return { ...conversation, confirmed: [...confirmed, message], pending };
  return { ...conversation, confirmed: [...confirmed, message].sort((a, b) => a.id - b.id), pending };
}

/** Two copies of one stored message (from the stream, a list or a send's response). */
function sameMessage(a: ChatMessage, b: ChatMessage): boolean {
  // A copy that could not be opened, or a notice, carries no clientId.
  return a.mine === b.mine && a.timestamp === b.timestamp && (!a.clientId || !b.clientId || a.clientId === b.clientId);
}

/** What is shown instead of an own message the server lost: "Not sent", with Retry. */
const LOST_ERROR = "the server lost it";

/** An own message the server no longer has, as a failed send Retry can resend; null for others. */
function notSent(message: ChatMessage): PendingMessage | null {
  if (!message.mine || !message.clientId || message.notice || message.image) return null;
  return {
    clientId: message.clientId,
    sender: message.sender,
    text: message.text,
    timestamp: message.timestamp,
    status: "failed",
    error: LOST_ERROR,
  };
}

/**
 * The server lost every message with an id strictly between `after` and `before` (its Redis
 * failed over before they were copied). Own ones were not sent after all: each leaves the log for
 * a "Not sent" bubble with Retry (same clientId, so a retry is stored once). The partner's stay:
 * this viewer saw them, and a resend from the partner takes their place (see `confirm`). An own
 * image cannot be resent from here (its bytes are gone from this page): it stays, as they saw it.
 */
export function markLost(conversation: Conversation, after: number, before: number): Conversation {
  const unsent: PendingMessage[] = [];
  const confirmed = conversation.confirmed.filter((message) => {
    if (message.id <= after || message.id >= before) return true;
    const item = notSent(message);
    if (item && !conversation.pending.some((pending) => pending.clientId === item.clientId)) unsent.push(item);
    return !item;
  });
  if (confirmed.length === conversation.confirmed.length) return conversation;
  return { ...conversation, confirmed, pending: [...unsent, ...conversation.pending] };
}

export function addPending(conversation: Conversation, message: PendingMessage): Conversation {
  return { ...conversation, pending: [...conversation.pending, message] };
}

export function updatePending(
  conversation: Conversation,
  clientIds: string | readonly string[],
  change: Partial<Pick<PendingMessage, "status" | "error">>,
): Conversation {
  const ids = new Set(typeof clientIds === "string" ? [clientIds] : clientIds);
  if (!conversation.pending.some((item) => ids.has(item.clientId))) return conversation;
  return {
    ...conversation,
    pending: conversation.pending.map((item) => (ids.has(item.clientId) ? { ...item, ...change } : item)),
  };
}

/** A notice after the newest message, or after message `afterId` (kept in order with the others). */
export function addNotice(conversation: Conversation, text: string, afterId?: number): Conversation {
  const after = afterId ?? conversation.confirmed[conversation.confirmed.length - 1]?.id ?? 0;
  const notice = { key: `n${conversation.notices.length}`, text, afterId: after };
  const { notices } = conversation;
  let index = notices.length;
  while (index > 0 && (notices[index - 1]?.afterId ?? 0) > after) index -= 1;
  return { ...conversation, notices: [...notices.slice(0, index), notice, ...notices.slice(index)] };
}

/**
 * A direct chat was cleared: every stored message up to `upTo` goes, and the notices placed among
 * them. Own sends not stored yet stay (they arrive after the clear).
 */
export function clearUpTo(conversation: Conversation, upTo: number): Conversation {
  const confirmed = conversation.confirmed.filter((message) => message.id > upTo);
  const notices = conversation.notices.filter((notice) => notice.afterId > upTo);
  if (confirmed.length === conversation.confirmed.length && notices.length === conversation.notices.length) {
    return conversation;
  }
  return { ...conversation, confirmed, notices };
}

/** Without the messages whose time is up at `now` (a direct chat's disappear one by one). */
export function dropExpired(conversation: Conversation, now: number): Conversation {
  const confirmed = conversation.confirmed.filter(
    (message) => message.expiresAt === undefined || message.expiresAt > now,
  );
  return confirmed.length === conversation.confirmed.length ? conversation : { ...conversation, confirmed };
}

/** When the next message disappears, or null when none will. */
export function nextExpiry(conversation: Conversation): number | null {
  let next: number | null = null;
  for (const { expiresAt } of conversation.confirmed) {
    if (expiresAt !== undefined && (next === null || expiresAt < next)) next = expiresAt;
  }
  return next;
}

export type LogEntry = { kind: "message"; message: ChatMessage } | { kind: "notice"; notice: Notice };

/** Messages and notices in the order they happened, for the log to render in one pass. */
export function logEntries(conversation: Conversation): LogEntry[] {
  const entries: LogEntry[] = [];
  let next = 0;
  const { notices } = conversation;
  for (const message of conversation.confirmed) {
    for (; next < notices.length && (notices[next]?.afterId ?? 0) < message.id; next += 1) {
      entries.push({ kind: "notice", notice: notices[next] as Notice });
    }
    entries.push({ kind: "message", message });
  }
  for (; next < notices.length; next += 1) entries.push({ kind: "notice", notice: notices[next] as Notice });
  return entries;
}

/** The newest partner message, whose id is what "delivered" acknowledges (a notice counts: it has an id). */
export function latestPartnerId(conversation: Conversation): number {
  for (let index = conversation.confirmed.length - 1; index >= 0; index -= 1) {
    const message = conversation.confirmed[index];
    if (message && !message.mine) return message.id;
  }
  return 0;
}
