import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import type { ChatRow } from "~/lib/chat-list";
import { createLogClock } from "~/lib/message-groups";
import { timeAgo } from "~/lib/relative-time";

/** The reader's locale and time zone. */
const clock = createLogClock();
/** "last seen 5 min ago" moves on by itself. */
const REFRESH_MS = 30_000;

/** Today's activity by its time, older by its day ("Yesterday", "Sat 5 Dec"). */
function activityLabel(at: number, now: number): string {
  return clock.dayKey(at) === clock.dayKey(now) ? clock.time(at) : clock.dayLabel(at, now);
}

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** The account's chats, newest activity first: who, whether they are here, when, and how much is unread. */
export function ChatList({ rows }: { rows: readonly ChatRow[] }) {
  const now = useNow(REFRESH_MS);
  if (rows.length === 0) {
    return (
      <p
        data-testid="no-chats"
        className="rounded-lg border border-dashed border-zinc-800 p-6 text-center text-sm text-zinc-400"
      >
        No chats yet. Find someone by their username above and say hello. Chats disappear with their last message.
      </p>
    );
  }
  return (
    <ul aria-label="Chats" className="divide-y divide-zinc-800/80 rounded-lg border border-zinc-800">
      {rows.map((row) => (
        <li key={row.chatId} data-testid="chat-row" data-partner={row.partner ?? ""}>
          <ChatRowView row={row} now={now} />
        </li>
      ))}
    </ul>
  );
}

function ChatRowView({ row, now }: { row: ChatRow; now: number }) {
  const presence = row.here
    ? "online"
    : row.lastSeenAt === null
      ? ""
      : `last seen ${timeAgo(new Date(row.lastSeenAt), new Date(now))}`;
  const content = (
    <>
      <span
        aria-hidden="true"
        className={`size-2.5 shrink-0 rounded-full ${row.here ? "bg-emerald-400" : "border border-zinc-600"}`}
      />
      <span className="min-w-0 flex-1">
        <span className="flex items-baseline justify-between gap-3">
          <span className={`truncate ${row.partner ? "font-bold text-zinc-100" : "italic text-zinc-400"}`}>
            {row.partner ?? "Deleted account"}
          </span>
          <time
            dateTime={new Date(row.lastActivityAt).toISOString()}
            className={`shrink-0 text-xs tabular-nums ${row.unread > 0 ? "text-emerald-300" : "text-zinc-400"}`}
          >
            {activityLabel(row.lastActivityAt, now)}
          </time>
        </span>
        <span className="mt-0.5 flex items-center justify-between gap-3 text-xs text-zinc-400">
          <span data-testid="chat-presence" className="truncate">
            {row.partner ? presence : ""}
          </span>
          {row.unread > 0 && (
            <span
              data-testid="unread-count"
              className="min-w-5 shrink-0 rounded-full bg-emerald-500 px-1.5 text-center font-bold tabular-nums text-zinc-950"
            >
              {row.unread}
              <span className="sr-only"> unread</span>
            </span>
          )}
        </span>
      </span>
    </>
  );
  const layout = "flex items-center gap-3 px-4 py-3";
  // A deleted account's chat cannot be opened: it stays in the list until its last message goes.
  if (!row.partner) return <div className={layout}>{content}</div>;
  return (
    <Link
      to={`/chats/${encodeURIComponent(row.partner)}`}
      className={`${layout} hover:bg-zinc-900 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-emerald-400`}
    >
      {content}
    </Link>
  );
}
