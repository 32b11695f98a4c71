import { useId, useRef, type ReactNode } from "react";

interface ConfirmDialogProps {
  /** The header button that opens the dialog. */
  trigger: ReactNode;
  triggerClassName: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  confirmClassName: string;
  pending: boolean;
  onConfirm: () => void;
  /** Closes on confirming, for an action after which the page stays (Clear chat, Block). */
  closeOnConfirm?: boolean;
}

/** A modal "are you sure?" for what cannot be undone; Escape or Cancel returns to the button. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  return (
    <>
      <button type="button" onClick={() => dialog.current?.showModal()} className={props.triggerClassName}>
        {props.trigger}
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto max-w-sm rounded border border-zinc-700 bg-zinc-900 p-5 text-zinc-100 backdrop:bg-black/70"
      >
        <h2 id={titleId} className="font-bold">
          {props.title}
        </h2>
        <div className="mt-2 space-y-2 text-sm text-zinc-400">{props.children}</div>
        <form method="dialog" className="mt-4 flex justify-end gap-2">
          <button type="submit" className="h-11 rounded px-4 text-sm text-zinc-300 hover:bg-zinc-800 sm:h-9 sm:px-3">
            Cancel
          </button>
          <button
            type="button"
            disabled={props.pending}
            onClick={() => {
              props.onConfirm();
              if (props.closeOnConfirm) dialog.current?.close();
            }}
            className={`h-11 rounded px-4 text-sm font-bold sm:h-9 sm:px-3 text-zinc-950 disabled:opacity-60 ${props.confirmClassName}`}
          >
            {props.confirmLabel}
          </button>
        </form>
      </dialog>
    </>
  );
}
