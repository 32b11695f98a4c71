import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { useSeenTracker } from "~/hooks/use-seen-tracker";
import type { ChatMessage } from "~/lib/chat-message";
import type { ChatNoticeView } from "~/shared/room-events";
import { logEntries, type Conversation, type PendingMessage } from "~/lib/conversation";
import { createLogClock, placeLines, type LogLine } from "~/lib/message-groups";
import { receiptStatus, type Watermarks } from "~/lib/receipt-status";
import { DaySeparator } from "./day-separator";
import { ArrowDownIcon } from "./icons";
import { MessageBubble } from "./message-bubble";
import { RoomNotice } from "./room-notice";

const NEAR_BOTTOM_PX = 64;

/** The reader's locale and time zone. */
const clock = createLogClock();

type Line =
  | { kind: "notice"; key: string; text: string }
  | { kind: "confirmed"; key: string; message: ChatMessage; label?: string }
  | { kind: "pending"; key: string; message: PendingMessage; label?: string };

/** Who sent it, as grouping compares: an unreadable message names nobody, so it groups with nothing. */
function authorOf(line: Line): string | null {
  if (line.kind === "notice") return null;
  if (line.kind === "confirmed" && line.message.undecryptable) return null;
  const mine = line.kind === "pending" || line.message.mine;
  return `${mine ? "me" : "partner"}:${line.label ?? line.message.sender}`;
}

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
  /** A direct chat's notice in words (`mine`: this person did it). */
  noticeText?: (notice: ChatNoticeView, mine: boolean) => string;
}

/**
 * The conversation, newest at the bottom. It follows new messages while the reader is at the
 * bottom; a reader who scrolled up keeps their place and gets a pill to jump down instead.
 */
export function MessageLog({
  conversation,
  receipts,
  onRetry,
  onSeen,
  labels,
  emptyText,
  noticeText,
}: MessageLogProps) {
  const container = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [unseen, setUnseen] = useState(0);
  const { confirmed, pending, notices } = conversation;
  // A direct chat's notices are stored like messages, but they are not messages to count.
  const messageCount = confirmed.filter((message) => !message.notice).length + pending.length;
  const total = confirmed.length + pending.length + notices.length;
  const previous = useRef({ total, messageCount });
  useSeenTracker(container, confirmed, onSeen);

  const lines: Line[] = [
    ...logEntries(conversation).map((entry): Line => {
      if (entry.kind === "notice") return { kind: "notice", key: entry.notice.key, text: entry.notice.text };
      const { message } = entry;
      if (message.notice) {
        return { kind: "notice", key: `m${message.id}`, text: noticeText?.(message.notice, message.mine) ?? "" };
      }
      return { kind: "confirmed", key: `m${message.id}`, message, label: labels?.[message.mine ? "mine" : "partner"] };
    }),
    ...pending.map((message): Line => ({ kind: "pending", key: `p${message.clientId}`, message, label: labels?.mine })),
  ];
  const placements = placeLines(
    lines.map((line): LogLine =>
      line.kind === "notice"
        ? { kind: "notice" }
        : { kind: "message", author: authorOf(line), timestamp: line.message.timestamp },
    ),
    clock,
    Date.now(),
  );

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
        {messageCount === 0 && emptyText && (
          <p className="mx-auto max-w-xs pt-10 text-center text-sm text-zinc-400">{emptyText}</p>
        )}
        {lines.map((line, index) => {
          const { day = null, continues = false } = placements[index] ?? {};
          return (
            <Fragment key={line.key}>
              {day && <DaySeparator label={day} />}
              {line.kind === "notice" ? (
                <RoomNotice text={line.text} />
              ) : line.kind === "confirmed" ? (
                <MessageBubble
                  kind="confirmed"
                  message={line.message}
                  label={line.label}
                  time={clock.time(line.message.timestamp)}
                  continues={continues}
                  receipt={line.message.mine ? receiptStatus(line.message, receipts) : undefined}
                />
              ) : (
                <MessageBubble
                  kind="pending"
                  message={line.message}
                  onRetry={onRetry}
                  label={line.label}
                  time={clock.time(line.message.timestamp)}
                  continues={continues}
                />
              )}
            </Fragment>
          );
        })}
      </div>
      {unseen > 0 && (
        <button
          type="button"
          onClick={scrollToBottom}
          className="absolute bottom-3 left-1/2 flex -translate-x-1/2 items-center gap-1.5 rounded-full bg-emerald-500 px-4 py-1 text-sm font-bold text-zinc-950 shadow-lg"
        >
          {unseen === 1 ? "1 new message" : `${unseen} new messages`}
          <ArrowDownIcon />
        </button>
      )}
    </div>
  );
}
