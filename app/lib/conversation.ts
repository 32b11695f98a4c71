import type { ChatMessage } from "./room-events";

/** A send the server has not confirmed yet. */
export interface PendingMessage {
  clientId: string;
  sender: string;
  text: string;
  timestamp: number;
  status: "sending" | "failed";
  error?: string;
}

export interface Conversation {
  /** Stored messages, ordered by event id, each once. */
  confirmed: ChatMessage[];
  /** Own sends in the order they were made, until their stored message arrives. */
  pending: PendingMessage[];
}

export const emptyConversation: Conversation = { confirmed: [], pending: [] };

/**
 * Adds a stored message, whichever way it arrived first (the event stream or the send's own
 * response): a repeat is ignored, and the pending bubble it confirms is replaced, not doubled.
 */
export function confirm(conversation: Conversation, message: ChatMessage): Conversation {
  const pending = conversation.pending.some((item) => item.clientId === message.clientId)
    ? conversation.pending.filter((item) => item.clientId !== message.clientId)
    : conversation.pending;
  const { confirmed } = conversation;
  const last = confirmed[confirmed.length - 1];
  if (!last || last.id < message.id) return { confirmed: [...confirmed, message], pending };
  if (confirmed.some((item) => item.id === message.id)) {
    return pending === conversation.pending ? conversation : { confirmed, pending };
  }
  return { confirmed: [...confirmed, message].sort((a, b) => a.id - b.id), pending };
}

export function addPending(conversation: Conversation, message: PendingMessage): Conversation {
  return { ...conversation, pending: [...conversation.pending, message] };
}

export function updatePending(
  conversation: Conversation,
  clientId: string,
  change: Partial<Pick<PendingMessage, "status" | "error">>,
): Conversation {
  return {
    ...conversation,
    pending: conversation.pending.map((item) => (item.clientId === clientId ? { ...item, ...change } : item)),
  };
}
