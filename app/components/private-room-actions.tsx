import { DestroyDialog } from "./destroy-dialog";
import { MENU_ITEM, PLAIN_HEADER_BUTTON } from "./header-button";
import { EyeOffIcon } from "./icons";
import { LeaveDialog } from "./leave-dialog";
import { MoreActions } from "./more-actions";

interface PrivateRoomActionsProps {
  memberCount: number | null;
  destroying: boolean;
  leaving: boolean;
  onCopyLink: () => void;
  /** Whether the key is out of the address bar (Hide link is pressed). */
  linkHidden: boolean;
  onToggleLink: () => void;
  onDestroy: () => void;
  onLeave: () => void;
}

/**
 * Seats, the link to share (and to hide), Leave and Destroy: a private room's header controls.
 * Copy link and Destroy now stay in sight on a phone; Hide link and Leave go behind "More actions".
 */
export function PrivateRoomActions(props: PrivateRoomActionsProps) {
  const seats = props.memberCount ?? 1;
  return (
    <>
      <p
        className={`flex h-11 items-center rounded border px-2 text-xs tabular-nums sm:h-9 ${
          seats >= 2 ? "border-emerald-500/50 text-emerald-300" : "border-zinc-700 text-zinc-400"
        }`}
        title={seats >= 2 ? "Both seats are taken" : "Waiting for the other person"}
      >
        <span className="sr-only">People in the room: </span>
        <span data-testid="participants">{seats}/2</span>
      </p>
      <button type="button" onClick={props.onCopyLink} className={PLAIN_HEADER_BUTTON}>
        Copy link
      </button>
      <MoreActions>
        {/* A toggle, so its name stays "Hide link" and aria-pressed says whether the link is hidden. */}
        <button
          type="button"
          aria-pressed={props.linkHidden}
          onClick={props.onToggleLink}
          title={
            props.linkHidden
              ? "The key is out of the address bar: press again to put it back"
              : "Take the key out of the address bar"
          }
          className={`${MENU_ITEM} aria-pressed:bg-emerald-500/15 aria-pressed:text-emerald-300`}
        >
          <EyeOffIcon className="size-4 sm:hidden" />
          Hide link
        </button>
        <LeaveDialog pending={props.leaving} onConfirm={props.onLeave} />
      </MoreActions>
      <DestroyDialog pending={props.destroying} onConfirm={props.onDestroy} />
    </>
  );
}
