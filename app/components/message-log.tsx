import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { Conversation } from "~/lib/conversation";
import { MessageBubble } from "./message-bubble";

const NEAR_BOTTOM_PX = 64;

/**
 * The conversation, newest at the bottom. It follows new messages while the reader is at the
 * bottom; a reader who scrolled up keeps their place and gets a pill to jump down instead.
 */
export function MessageLog({ conversation, onRetry }: { conversation: Conversation; onRetry: (clientId: string) => void }) {
  const container = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [unseen, setUnseen] = useState(0);
  const { confirmed, pending } = conversation;
  const total = confirmed.length + pending.length;
  const previousTotal = useRef(total);

  const scrollToBottom = useCallback(() => {
    const element = container.current;
    if (element) element.scrollTop = element.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  }, []);

  useLayoutEffect(() => {
    const added = total - previousTotal.current;
    previousTotal.current = total;
    if (added <= 0) return;
    const newestIsMine = pending.length > 0 || confirmed[confirmed.length - 1]?.mine === true;
    if (atBottom.current || newestIsMine) scrollToBottom();
    else setUnseen((count) => count + added);
  }, [total, pending.length, confirmed, scrollToBottom]);

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
        {total === 0 && (
          <p className="mx-auto max-w-xs pt-10 text-center text-sm text-zinc-400">
            No messages yet. Copy the link, send it to one person, and say hello.
          </p>
        )}
        {confirmed.map((message) => (
          <MessageBubble key={`m${message.id}`} kind="confirmed" message={message} />
        ))}
        {pending.map((message) => (
          <MessageBubble key={`p${message.clientId}`} kind="pending" message={message} onRetry={onRetry} />
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
