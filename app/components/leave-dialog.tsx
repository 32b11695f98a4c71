import { ConfirmDialog } from "./confirm-dialog";

/** Leaving frees this seat without ending the room for the other person. */
export function LeaveDialog({ pending, onConfirm }: { pending: boolean; onConfirm: () => void }) {
  return (
    <ConfirmDialog
      trigger={
        <>
          Leave<span className="sr-only sm:not-sr-only"> room</span>
        </>
      }
      triggerClassName="whitespace-nowrap rounded border border-zinc-700 px-2 py-1 text-sm text-zinc-200 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-emerald-400 sm:px-3"
      title="Leave this room?"
      confirmLabel="Leave room"
      confirmClassName="bg-amber-400"
      pending={pending}
      onConfirm={onConfirm}
    >
      <p>The other person stays, and the conversation stays with them until the room ends.</p>
      <p>Your seat is freed: the link will let one person take it, someone new or you again.</p>
      <p>Whoever takes it sees only what is sent after they arrive, never what the two of you wrote before.</p>
    </ConfirmDialog>
  );
}
