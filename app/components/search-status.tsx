import { LAST_PARTNER_COOLDOWN_MS, type StrangerCounts } from "~/shared/match-events";

export type SearchPhase = "preview" | "connecting" | "searching" | "matched" | "idle";

const TEXT: Record<SearchPhase, string> = {
  preview: "Open this page in your browser to talk to a stranger.",
  connecting: "Connecting…",
  searching: "Looking for someone to talk to…",
  matched: "Found someone. Opening the chat…",
  idle: "Not searching.",
};

/** Said while the one other person searching is the one this person just talked to. */
export const LAST_PARTNER_NOTE = `The stranger you just talked to is searching too: you won't be matched with your last partner again for ${
  LAST_PARTNER_COOLDOWN_MS / 60_000
} minutes after your chat.`;

/**
 * Where the search stands, in one live line (screen readers hear each change once), beside a
 * pulse that moves only while searching and only for people who have not asked for less motion.
 * `note` says why nobody is found when that is not simply that nobody else is searching.
 */
export function SearchStatus({
  phase,
  counts,
  note = null,
}: {
  phase: SearchPhase;
  counts: StrangerCounts | null;
  note?: string | null;
}) {
  const active = phase === "searching" || phase === "matched";
  return (
    <div className="flex items-center gap-4">
      <span aria-hidden="true" className="relative grid size-12 shrink-0 place-items-center">
        {/* Half the box, so the ping (which doubles in size) stays inside it. */}
        {active && <span className="absolute inset-3 rounded-full bg-emerald-400/25 motion-safe:animate-ping" />}
        <span className={`size-3 rounded-full ${active ? "bg-emerald-400" : "border border-zinc-500"}`} />
      </span>
      <div className="min-w-0 space-y-1">
        <p role="status" className="text-zinc-100">
          {TEXT[phase]}
        </p>
        <p data-testid="stranger-counts" className="h-4 text-xs text-zinc-400">
          {counts &&
            `${counts.online === 1 ? "1 person" : `${counts.online} people`} online · ${counts.waiting} waiting`}
        </p>
        {/* Mounted even when empty, so screen readers hear the note when it appears. */}
        <p data-testid="search-note" aria-live="polite" className="text-sm text-amber-100">
          {note}
        </p>
      </div>
    </div>
  );
}
