import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useSeenTracker } from "~/hooks/use-seen-tracker";
import { logEntries, type Conversation, type PendingMessage } from "~/lib/conversation";
import { receiptStatus, type Watermarks } from "~/lib/receipt-status";
import { MessageBubble } from "./message-bubble";
import { RoomNotice } from "./room-notice";

const NEAR_BOTTOM_PX = 64;

interface MessageLogProps {
  conversation: Conversation;
  receipts: Watermarks;
  onRetry: (message: PendingMessage) => void;
  /** The newest partner message that has been on the reader's visible screen. */
  onSeen: (id: number) => void;
  /** Labels instead of senders' names (a stranger chat shares none). */
  labels?: { mine: string; partner: string };
  /** What an empty log says. */
  emptyText: string;
}

/**
 * The conversation, newest at the bottom. It follows new messages while the reader is at the
 * bottom; a reader who scrolled up keeps their place and gets a pill to jump down instead.
 */
export function MessageLog({ conversation, receipts, onRetry, onSeen, labels, emptyText }: MessageLogProps) {
  const container = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [unseen, setUnseen] = useState(0);
  const { confirmed, pending, notices } = conversation;
  const messageCount = confirmed.length + pending.length;
  const total = messageCount + notices.length;
  const previous = useRef({ total, messageCount });
  useSeenTracker(container, confirmed, onSeen);

  const scrollToBottom = useCallback(() => {
    const element = container.current;
    if (element) element.scrollTop = element.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  }, []);

  useLayoutEffect(() => {
    const added = total - previous.current.total;
    const addedMessages = messageCount - previous.current.messageCount;
    previous.current = { total, messageCount };
    if (added <= 0) return;
    const newestIsMine = pending.length > 0 || confirmed[confirmed.length - 1]?.mine === true;
    if (atBottom.current || newestIsMine) scrollToBottom();
    // A notice alone is not worth a "new messages" pill.
    else if (addedMessages > 0) setUnseen((count) => count + addedMessages);
  }, [total, messageCount, pending.length, confirmed, scrollToBottom]);

  useEffect(() => {
    scrollToBottom();
  }, [scrollToBottom]);

  function onScroll() {
    const element = container.current;
    if (!element) return;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom.current) setUnseen(0);
  }

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={container}
        onScroll={onScroll}
        role="log"
        aria-live="polite"
        aria-label="Messages"
        tabIndex={0}
        className="h-full space-y-4 overflow-y-auto px-4 py-4 focus-visible:outline-2 focus-visible:outline-emerald-400"
      >
        {messageCount === 0 && <p className="mx-auto max-w-xs pt-10 text-center text-sm text-zinc-400">{emptyText}</p>}
        {logEntries(conversation).map((entry) =>
          entry.kind === "notice" ? (
            <RoomNotice key={entry.notice.key} text={entry.notice.text} />
          ) : (
            <MessageBubble
              key={`m${entry.message.id}`}
              kind="confirmed"
              message={entry.message}
              label={labels && (entry.message.mine ? labels.mine : labels.partner)}
              receipt={entry.message.mine ? receiptStatus(entry.message, receipts) : undefined}
            />
          ),
        )}
        {pending.map((message) => (
          <MessageBubble
            key={`p${message.clientId}`}
            kind="pending"
            message={message}
            onRetry={onRetry}
            label={labels?.mine}
          />
        ))}
      </div>
      {unseen > 0 && (
        <button
          type="button"
          onClick={scrollToBottom}
          className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full bg-emerald-500 px-4 py-1 text-sm font-bold text-zinc-950 shadow-lg"
        >
          {unseen === 1 ? "1 new message" : `${unseen} new messages`} ↓
        </button>
      )}
    </div>
  );
}
