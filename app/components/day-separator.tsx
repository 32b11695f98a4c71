/** Where the date changes in the log ("Today", "Yesterday", "Sat 5 Dec"): a line, not a message. */
export function DaySeparator({ label }: { label: string }) {
  return (
    <p data-testid="day-separator" className="flex items-center gap-3 text-xs font-bold text-zinc-400">
      <span aria-hidden="true" className="h-px flex-1 bg-zinc-800" />
      <span className="rounded-full border border-zinc-800 px-3 py-0.5">{label}</span>
      <span aria-hidden="true" className="h-px flex-1 bg-zinc-800" />
    </p>
  );
}
