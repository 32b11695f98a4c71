import type { StrangerCounts } from "~/lib/match-events";

export type SearchPhase = "preview" | "connecting" | "searching" | "matched" | "idle";

const TEXT: Record<SearchPhase, string> = {
  preview: "Open this page in your browser to talk to a stranger.",
  connecting: "Connecting…",
  searching: "Looking for someone to talk to…",
  matched: "Found someone. Opening the chat…",
  idle: "Not searching.",
};

/**
 * Where the search stands, in one live line (screen readers hear each change once), beside a
 * pulse that moves only while searching and only for people who have not asked for less motion.
 */
export function SearchStatus({ phase, counts }: { phase: SearchPhase; counts: StrangerCounts | null }) {
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
          {counts && `${counts.online === 1 ? "1 person" : `${counts.online} people`} online · ${counts.waiting} waiting`}
        </p>
      </div>
    </div>
  );
}
