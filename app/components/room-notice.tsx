/** A system line in the log (someone joined or left): not a message, so not a bubble. */
export function RoomNotice({ text }: { text: string }) {
  return (
    <p role="note" data-testid="notice" className="flex items-center gap-3 text-center text-xs text-zinc-400">
      <span aria-hidden="true" className="h-px flex-1 bg-zinc-800" />
      <span className="max-w-sm">{text}</span>
      <span aria-hidden="true" className="h-px flex-1 bg-zinc-800" />
    </p>
  );
}
