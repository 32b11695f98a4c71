import { ConfirmDialog } from "./confirm-dialog";
import { MENU_ITEM } from "./header-button";

/** Leaving frees this seat without ending the room for the other person. */
export function LeaveDialog({ pending, onConfirm }: { pending: boolean; onConfirm: () => void }) {
  return (
    <ConfirmDialog
      trigger={
        <>
          Leave<span className="sr-only"> room</span>
        </>
      }
      triggerClassName={MENU_ITEM}
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
