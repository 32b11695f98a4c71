import { useId, useRef } from "react";
import { chatTimerLabel } from "~/shared/direct-chats";
import { MENU_ITEM } from "./header-button";

interface ChatInfoDialogProps {
  partner: string;
  safetyCode: string;
  timerSeconds: number;
}

/** Who the chat is with, how long messages stay, and the safety code to compare. */
export function ChatInfoDialog({ partner, safetyCode, timerSeconds }: ChatInfoDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  return (
    <>
      <button type="button" onClick={() => dialog.current?.showModal()} className={MENU_ITEM}>
        Chat info
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto max-w-sm rounded border border-zinc-700 bg-zinc-900 p-5 text-zinc-100 backdrop:bg-black/70"
      >
        <h2 id={titleId} className="font-bold">
          Chat with {partner}
        </h2>
        <div className="mt-3 space-y-3 text-sm text-zinc-400">
          <p>
            Safety code{" "}
            <strong data-testid="safety-code" className="tabular-nums text-zinc-100">
              {safetyCode}
            </strong>
          </p>
          <p>
            Compare it with {partner}, in person or on a call. If you both see the same code, the messages are encrypted
            to the two of you and nobody in between, not even the server, can read them.
          </p>
          <p>
            Messages disappear <strong className="text-zinc-200">{chatTimerLabel(timerSeconds)}</strong> after they are
            sent.
          </p>
        </div>
        <form method="dialog" className="mt-4 flex justify-end">
          <button type="submit" className="h-11 rounded px-4 text-sm text-zinc-300 hover:bg-zinc-800 sm:h-9 sm:px-3">
            Close
          </button>
        </form>
      </dialog>
    </>
  );
}
