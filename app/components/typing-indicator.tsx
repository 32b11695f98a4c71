/**
 * "… is typing" just above the composer. The line keeps its height when empty so the log does not
 * jump, and stays mounted so screen readers hear each change.
 */
export function TypingIndicator({ name }: { name: string | null }) {
  return (
    <p aria-live="polite" data-testid="typing" className="h-5 truncate px-4 text-xs text-zinc-400">
      {name && (
        <>
          {name} is typing<span className="animate-pulse">…</span>
        </>
      )}
    </p>
  );
}
