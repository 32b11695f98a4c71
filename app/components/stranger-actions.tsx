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
        className="rounded border border-emerald-500/60 px-3 py-1 text-sm font-bold text-emerald-300 hover:bg-emerald-500/10 focus-visible:outline-2 focus-visible:outline-emerald-400 disabled:opacity-60"
      >
        Skip
      </button>
      <button
        type="button"
        disabled={pending}
        onClick={onEndChat}
        className="rounded border border-zinc-700 px-3 py-1 text-sm text-zinc-200 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-emerald-400 disabled:opacity-60"
      >
        End chat
      </button>
      <ReportDialog pending={pending} onConfirm={() => onSkip(true)} />
    </>
  );
}
