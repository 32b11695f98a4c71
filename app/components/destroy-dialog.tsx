import { ConfirmDialog } from "./confirm-dialog";

export function DestroyDialog({ pending, onConfirm }: { pending: boolean; onConfirm: () => void }) {
  return (
    <ConfirmDialog
      trigger="Destroy now"
      triggerClassName="whitespace-nowrap rounded border border-red-500/60 px-2 py-1 text-sm text-red-300 hover:bg-red-500/10 sm:px-3"
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
