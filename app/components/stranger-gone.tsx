/**
 * Takes the composer's place once the stranger has been gone past the grace period: there is
 * nobody to write to, and the way on is a new chat.
 */
export function StrangerGone({ pending, onNewChat }: { pending: boolean; onNewChat: () => void }) {
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center justify-between gap-3 border-t border-zinc-800 bg-zinc-900 px-4 pb-[max(0.75rem,env(safe-area-inset-bottom))] pt-3"
    >
      <p className="text-sm text-zinc-200">
        <strong className="text-amber-300">Stranger disconnected.</strong> They closed the chat or lost their
        connection.
      </p>
      <button
        type="button"
        disabled={pending}
        onClick={onNewChat}
        className="rounded bg-emerald-500 px-4 py-2 font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:opacity-60"
      >
        New chat
      </button>
    </div>
  );
}
