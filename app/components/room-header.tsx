import type { PartnerState } from "~/lib/partner";
import { Countdown } from "./countdown";
import { DestroyDialog } from "./destroy-dialog";
import { LeaveDialog } from "./leave-dialog";
import { PartnerStatus } from "./partner-status";

interface RoomHeaderProps {
  deadline: number;
  memberCount: number | null;
  partner: PartnerState;
  destroying: boolean;
  leaving: boolean;
  onCopyLink: () => void;
  onDestroy: () => void;
  onLeave: () => void;
}

export function RoomHeader(props: RoomHeaderProps) {
  const seats = props.memberCount ?? 1;
  return (
    <header className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-zinc-800 bg-zinc-950/90 px-4 py-3">
      <div className="flex w-full items-center justify-between gap-4 whitespace-nowrap sm:w-auto sm:flex-1 sm:justify-start">
        <h1 className="font-bold text-emerald-400">{">"} ephemera</h1>
        <Countdown deadline={props.deadline} />
      </div>
      <div className="flex w-full items-center justify-end gap-2 sm:w-auto">
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
      </div>
      <div className="w-full">
        <PartnerStatus partner={props.partner} />
      </div>
    </header>
  );
}
