import type { MessagePayload } from "./crypto/message-payload";
import { SENDER_MAX_LENGTH } from "~/shared/limits";
import type { ChatMessage, OpenedRoomEvent } from "./chat-message";
import type { ChatNoticeView, RoomEvent, SealedMessage } from "~/shared/room-events";

/** What the opener needs from the room's keys; each throws when it cannot open what it is given. */
export interface OpenerDeps {
  openMessage: (message: SealedMessage) => Promise<MessagePayload>;
  openName: (sealed: string) => Promise<string>;
  /** A member's announced name (`room.setName`). */
  openMemberName: (sealed: string) => Promise<string>;
  /** A stranger chat's key agreement: events behind it wait until it is done (they may need its key). */
  onPartnerKeys?: (publicKeys: string) => Promise<void>;
}

/** Shown for a name that says nothing (a sender's browser sealed an empty one). */
const NAMELESS = "Anonymous";

/** When a direct chat's message disappears, on this browser's clock: the time left as of its arrival. */
function withExpiry(message: ChatMessage, sealed: SealedMessage, receivedAt: number): ChatMessage {
  if (sealed.expiresInMs !== undefined) message.expiresAt = receivedAt + sealed.expiresInMs;
  return message;
}

/** The message as the log shows it, from the sealed copy and what was inside. */
export function openedMessage(sealed: SealedMessage, payload: MessagePayload, receivedAt = Date.now()): ChatMessage {
  const message: ChatMessage = {
    id: sealed.id,
    // The server cannot limit what it cannot read: the reader keeps names to their usual size.
    sender: payload.name.trim().slice(0, SENDER_MAX_LENGTH) || NAMELESS,
    text: payload.kind === "text" ? payload.text : "",
    timestamp: sealed.timestamp,
    mine: sealed.mine,
  };
  if (payload.kind === "image") message.image = payload.image;
  // The clientId confirms (replaces) an own pending bubble, and lets a message resent after a
  // failover lost it take the place of the copy shown before (conversation.ts).
  message.clientId = sealed.clientId;
  if (sealed.status) message.status = sealed.status;
  return withExpiry(message, sealed, receivedAt);
}

/** A message the room key could not open: its place in the log, nothing of its content. */
export function undecryptableMessage(sealed: SealedMessage, receivedAt = Date.now()): ChatMessage {
  const message = contentless(sealed, { undecryptable: true });
  if (sealed.status) message.status = sealed.status;
  return withExpiry(message, sealed, receivedAt);
}

/**
 * A direct chat's notice (the timer changed, the chat was cleared): the server writes these, in
 * the clear and sealed by nobody, and the log says them in words.
 */
export function noticeMessage(
  sealed: SealedMessage & { notice: ChatNoticeView },
  receivedAt = Date.now(),
): ChatMessage {
  return withExpiry(contentless(sealed, { notice: sealed.notice }), sealed, receivedAt);
}

/** A line of the log with no text of its own: where and when it is, and what stands in for it. */
function contentless(sealed: SealedMessage, instead: Pick<ChatMessage, "undecryptable" | "notice">): ChatMessage {
  return { id: sealed.id, sender: "", text: "", timestamp: sealed.timestamp, mine: sealed.mine, ...instead };
}

/**
 * Each side's clientIds and the message id each was first opened under. A ciphertext is bound to
 * its clientId, so a server replaying an old message can only do it under that clientId and a new
 * id: the second id is refused, unless the server said it lost the first (`forgetLost`). The same
 * id again is a repeat delivery (a resumed stream), which the conversation drops by id anyway.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  /**
   * The server lost the messages with ids in the span (a failover): their clientIds may come back
   * under new ids, resent by their senders.
   */
  forgetLost(after: number, before: number): void {
    for (const [key, id] of this.seen) if (id > after && id < before) this.seen.delete(key);
  }

  accept(mine: boolean, clientId: string, id: number): boolean {
    const key = `${mine ? "m" : "p"}:${clientId}`;
    const first = this.seen.get(key);
    if (first === undefined) {
      this.seen.set(key, id);
      return true;
    }
    return first === id;
  }
}

/**
 * Opens a room's stream events one at a time, in the order they arrived: opening is asynchronous,
 * and message N must reach the page before N + 1 (and before the notice or the receipt that
 * followed it). A message that cannot be opened still takes its place, marked undecryptable; a
 * replayed one is dropped.
 */
export class RoomEventOpener {
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly deps: OpenerDeps,
    private readonly apply: (event: OpenedRoomEvent) => void,
    readonly replays: ReplayGuard = new ReplayGuard(),
  ) {}

  push(event: RoomEvent): void {
    // Time left is measured from arrival, not from whenever the queue gets to the event.
    const receivedAt = Date.now();
    this.queue = this.queue.then(async () => {
      if (this.stopped) return;
      const opened = await this.open(event, receivedAt);
      if (opened && !this.stopped) this.apply(opened);
    });
  }

  /** Resolves once everything pushed so far has been applied or dropped. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Nothing more reaches the page (it is going away). */
  stop(): void {
    this.stopped = true;
  }

  private async open(event: RoomEvent, receivedAt: number): Promise<OpenedRoomEvent | null> {
    switch (event.type) {
      case "message":
        return this.openMessage(event.message, receivedAt);
      case "typing": {
        if (!event.typing) return { ...event, name: null };
        const name = await this.deps.openName(event.name).catch(() => null);
        return { ...event, name: name?.trim().slice(0, SENDER_MAX_LENGTH) || null };
      }
      case "name": {
        const name = await this.deps.openMemberName(event.name).catch(() => null);
        return { ...event, name: name?.trim().slice(0, SENDER_MAX_LENGTH) || null };
      }
      case "partner-keys":
        await this.deps.onPartnerKeys?.(event.publicKeys).catch(() => {});
        return null;
      case "lost":
        this.replays.forgetLost(event.after, event.before);
        return event;
      default:
        return event;
    }
  }

  private async openMessage(sealed: SealedMessage, receivedAt: number): Promise<OpenedRoomEvent | null> {
    if (sealed.notice)
      return { type: "message", message: noticeMessage({ ...sealed, notice: sealed.notice }, receivedAt) };
    let payload: MessagePayload;
    try {
      payload = await this.deps.openMessage(sealed);
    } catch {
      return { type: "message", message: undecryptableMessage(sealed, receivedAt) };
    }
    // Only an authentic message claims its clientId: garbage cannot lock a genuine one out.
    if (!this.replays.accept(sealed.mine, sealed.clientId, sealed.id)) return null;
    return { type: "message", message: openedMessage(sealed, payload, receivedAt) };
  }
}
