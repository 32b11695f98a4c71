import { HEADER_BUTTON, PLAIN_HEADER_BUTTON } from "./header-button";
import { ReportDialog } from "./report-dialog";

interface StrangerActionsProps {
  pending: boolean;
  onSkip: (report: boolean) => void;
  onEndChat: () => void;
}

/** A stranger chat ends with Skip (on to someone new) or End chat; there is no link to share. */
export function StrangerActions({ pending, onSkip, onEndChat }: StrangerActionsProps) {
  return (
    <>
      <button
        type="button"
        disabled={pending}
        onClick={() => onSkip(false)}
        className={`${HEADER_BUTTON} border-emerald-500/60 font-bold text-emerald-300 hover:bg-emerald-500/10`}
      >
        Skip
      </button>
      <button type="button" disabled={pending} onClick={onEndChat} className={PLAIN_HEADER_BUTTON}>
        End chat
      </button>
      <ReportDialog pending={pending} onConfirm={() => onSkip(true)} />
    </>
  );
}
