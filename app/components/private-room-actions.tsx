import { DestroyDialog } from "./destroy-dialog";
import { LeaveDialog } from "./leave-dialog";

interface PrivateRoomActionsProps {
  memberCount: number | null;
  destroying: boolean;
  leaving: boolean;
  onCopyLink: () => void;
  /** Takes the key out of the address bar; absent once it is out. */
  onHideLink?: () => void;
  onDestroy: () => void;
  onLeave: () => void;
}

/** Seats, the link to share (and to hide), Leave and Destroy: a private room's header controls. */
export function PrivateRoomActions(props: PrivateRoomActionsProps) {
  const seats = props.memberCount ?? 1;
  return (
    <>
      <p
        className={`rounded border px-2 py-1 text-xs tabular-nums ${
          seats >= 2 ? "border-emerald-500/50 text-emerald-300" : "border-zinc-700 text-zinc-400"
        }`}
        title={seats >= 2 ? "Both seats are taken" : "Waiting for the other person"}
      >
        <span className="sr-only">People in the room: </span>
        <span data-testid="participants">{seats}/2</span>
      </p>
      <button
        type="button"
        onClick={props.onCopyLink}
        className="whitespace-nowrap rounded border border-zinc-700 px-2 py-1 text-sm text-zinc-200 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-emerald-400 sm:px-3"
      >
        Copy link
      </button>
      {props.onHideLink && (
        // An eye struck through on a phone, where the header has no room for more words.
        <button
          type="button"
          onClick={props.onHideLink}
          title="Hide link: take the key out of the address bar"
          className="flex items-center gap-1.5 self-stretch rounded border border-zinc-700 px-2 text-sm text-zinc-200 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-emerald-400 sm:px-3"
        >
          <svg
            aria-hidden="true"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
            strokeLinejoin="round"
            className="size-4 sm:hidden"
          >
            <path d="M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z" />
            <circle cx="12" cy="12" r="3" />
            <path d="m3 3 18 18" />
          </svg>
          <span className="sr-only sm:not-sr-only">Hide link</span>
        </button>
      )}
      <LeaveDialog pending={props.leaving} onConfirm={props.onLeave} />
      <DestroyDialog pending={props.destroying} onConfirm={props.onDestroy} />
    </>
  );
}
