import { useEffect, useRef } from "react";
import type { ChatMessage } from "~/lib/room-events";

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

export function MessageLog({ messages }: { messages: ChatMessage[] }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Block body on purpose: newer browsers return a Promise from scrollIntoView, and React
    // would take a returned value for a cleanup function.
    void end.current?.scrollIntoView({ block: "end" });
  }, [messages.length]);

  return (
    <div role="log" aria-live="polite" aria-label="Messages" className="flex-1 space-y-3 overflow-y-auto px-4 py-4">
      {messages.length === 0 && (
        <p className="text-center text-sm text-zinc-500">No messages yet. Share the link and say hello.</p>
      )}
      {messages.map((message) => (
        <article
          key={message.id}
          className={`flex flex-col ${message.mine ? "items-end" : "items-start"}`}
        >
          <p className="text-xs text-zinc-500">
            {message.mine ? "You" : message.sender} · {timeFormat.format(message.timestamp)}
          </p>
          <p
            className={`max-w-[85%] whitespace-pre-wrap break-words rounded px-3 py-2 ${
              message.mine ? "bg-emerald-500/15 text-emerald-100" : "bg-zinc-800 text-zinc-100"
            }`}
          >
            {message.text}
          </p>
        </article>
      ))}
      <div ref={end} />
    </div>
  );
}
