import { useRef } from "react";

export function DestroyDialog({ pending, onConfirm }: { pending: boolean; onConfirm: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button
        type="button"
        onClick={() => dialog.current?.showModal()}
        className="rounded border border-red-500/60 px-3 py-1 text-sm text-red-300 hover:bg-red-500/10"
      >
        Destroy now
      </button>
      <dialog
        ref={dialog}
        aria-labelledby="destroy-title"
        className="m-auto max-w-sm rounded border border-zinc-700 bg-zinc-900 p-5 text-zinc-100 backdrop:bg-black/70"
      >
        <h2 id="destroy-title" className="font-bold">
          Destroy this room?
        </h2>
        <p className="mt-2 text-sm text-zinc-400">
          Every message is deleted for both of you, right now. This cannot be undone.
        </p>
        <form method="dialog" className="mt-4 flex justify-end gap-2">
          <button type="submit" className="rounded px-3 py-1 text-sm text-zinc-300 hover:bg-zinc-800">
            Cancel
          </button>
          <button
            type="button"
            disabled={pending}
            onClick={onConfirm}
            className="rounded bg-red-500 px-3 py-1 text-sm font-bold text-zinc-950 disabled:opacity-60"
          >
            Destroy room
          </button>
        </form>
      </dialog>
    </>
  );
}
