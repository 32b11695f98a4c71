import type { ReactNode } from "react";
import type { PartnerState } from "~/lib/partner";
import { Countdown } from "./countdown";
import { PartnerStatus } from "./partner-status";

interface RoomHeaderProps {
  deadline: number;
  partner: PartnerState;
  stranger: boolean;
  /** Beside the partner's status: a stranger chat's safety code. */
  aside?: ReactNode;
  /** The room's controls: a private room's or a stranger chat's. */
  children: ReactNode;
}

export function RoomHeader({ deadline, partner, stranger, aside, children }: RoomHeaderProps) {
  return (
    <header className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-zinc-800 bg-zinc-950/90 px-4 py-3">
      <div className="flex w-full items-center justify-between gap-4 whitespace-nowrap sm:w-auto sm:flex-1 sm:justify-start">
        <h1 className="font-bold text-emerald-400">{">"} ephemera</h1>
        <Countdown deadline={deadline} />
      </div>
      <div className="flex w-full items-center justify-end gap-1.5 sm:ml-auto sm:w-auto sm:gap-2">{children}</div>
      <div className="flex w-full flex-col gap-1 sm:flex-row sm:items-center sm:justify-between sm:gap-3">
        <PartnerStatus partner={partner} stranger={stranger} />
        {aside}
      </div>
    </header>
  );
}
