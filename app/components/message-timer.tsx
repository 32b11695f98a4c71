import { useEffect, useState } from "react";
import { formatTimeLeft, timeLeftChangesIn } from "~/lib/direct-chat";

/**
 * How long until a direct chat's message disappears ("59m", "4m 12s"). It re-renders itself only
 * when its text changes, not the log; the message leaves the log at that moment anyway.
 */
export function MessageTimer({ expiresAt }: { expiresAt: number }) {
  const [now, setNow] = useState(() => Date.now());
  const left = expiresAt - now;
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setNow(Date.now()), timeLeftChangesIn(left));
    return () => clearTimeout(timer);
  }, [left]);
  const text = formatTimeLeft(left);
  return (
    <span
      data-testid="message-timer"
      title={`Disappears in ${text}`}
      // Rendered on the server at its own moment: a second's difference is not worth a new page.
      suppressHydrationWarning
      className="shrink-0 text-[0.6875rem] tabular-nums text-zinc-400"
    >
      <span className="sr-only">Disappears in </span>
      {text}
    </span>
  );
}
