import { DestroyDialog } from "./destroy-dialog";
import { LeaveDialog } from "./leave-dialog";

interface PrivateRoomActionsProps {
  memberCount: number | null;
  destroying: boolean;
  leaving: boolean;
  onCopyLink: () => void;
  onDestroy: () => void;
  onLeave: () => void;
}

/** Seats, the link to share, Leave and Destroy: a private room's header controls. */
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
        className="rounded border border-zinc-700 px-3 py-1 text-sm text-zinc-200 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-emerald-400"
      >
        Copy link
      </button>
      <LeaveDialog pending={props.leaving} onConfirm={props.onLeave} />
      <DestroyDialog pending={props.destroying} onConfirm={props.onDestroy} />
    </>
  );
}
