import { formatCountdown, useSecondsLeft } from "~/hooks/use-countdown";
import { HourglassIcon } from "./icons";

/**
 * Time left before the room self-destructs; turns to a warning colour in the last minute. It
 * ticks on its own so the rest of the room does not re-render every second. An hourglass stands
 * for the words "Self-destructs in", which the header has no room for; the timer's name says them.
 */
export function Countdown({ deadline }: { deadline: number }) {
  const secondsLeft = useSecondsLeft(deadline);
  const warning = secondsLeft <= 60;
  return (
    <p className="flex shrink-0 items-center gap-1.5 text-sm" title="Time left before the room self-destructs">
      <HourglassIcon className="size-4 text-zinc-400" />
      {/* The server renders the time at its own moment; the browser's first paint may be a second
          later, and that difference is not worth React throwing the page's markup away. */}
      <span
        suppressHydrationWarning
        role="timer"
        aria-label={`Self-destructs in ${formatCountdown(secondsLeft)}`}
        data-warning={warning}
        className={`font-bold tabular-nums ${warning ? "animate-pulse text-red-400" : "text-amber-300"}`}
      >
        {formatCountdown(secondsLeft)}
      </span>
    </p>
  );
}
