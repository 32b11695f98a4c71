import { ConfirmDialog } from "./confirm-dialog";
import { HEADER_BUTTON } from "./header-button";

export function DestroyDialog({ pending, onConfirm }: { pending: boolean; onConfirm: () => void }) {
  return (
    <ConfirmDialog
      trigger="Destroy now"
      triggerClassName={`${HEADER_BUTTON} border-red-500/60 text-red-300 hover:bg-red-500/10`}
      title="Destroy this room?"
      confirmLabel="Destroy room"
      confirmClassName="bg-red-500"
      pending={pending}
      onConfirm={onConfirm}
    >
      <p>Every message is deleted for both of you, right now. This cannot be undone.</p>
    </ConfirmDialog>
  );
}
