import { ConfirmDialog } from "./confirm-dialog";
import { HEADER_BUTTON } from "./header-button";

/** Reporting only keeps this pair apart for the day; say so, so nobody expects more or fears more. */
export function ReportDialog({ pending, onConfirm }: { pending: boolean; onConfirm: () => void }) {
  return (
    <ConfirmDialog
      trigger={
        <>
          Report<span className="sr-only"> and skip</span>
        </>
      }
      triggerClassName={`${HEADER_BUTTON} border-red-500/60 text-red-300 hover:bg-red-500/10`}
      title="Report and skip?"
      confirmLabel="Report and skip"
      confirmClassName="bg-red-500"
      pending={pending}
      onConfirm={onConfirm}
    >
      <p>The chat ends for both of you and you go straight on to someone new.</p>
      <p>
        Nothing about the conversation is recorded or sent to anyone. The only effect is that the two of you won’t be
        matched again today.
      </p>
    </ConfirmDialog>
  );
}
