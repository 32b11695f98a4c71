import type { ReactNode } from "react";
import type { PartnerState } from "~/lib/partner";
import { Countdown } from "./countdown";
import { PartnerStatus } from "./partner-status";

interface RoomHeaderProps {
  deadline: number;
  partner: PartnerState;
  stranger: boolean;
  /** The room's controls: a private room's or a stranger chat's. */
  children: ReactNode;
}

export function RoomHeader({ deadline, partner, stranger, children }: RoomHeaderProps) {
  return (
    <header className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-zinc-800 bg-zinc-950/90 px-4 py-3">
      <div className="flex w-full items-center justify-between gap-4 whitespace-nowrap sm:w-auto sm:flex-1 sm:justify-start">
        <h1 className="font-bold text-emerald-400">{">"} ephemera</h1>
        <Countdown deadline={deadline} />
      </div>
      <div className="flex w-full items-center justify-end gap-2 sm:w-auto">{children}</div>
      <div className="w-full">
        <PartnerStatus partner={partner} stranger={stranger} />
      </div>
    </header>
  );
}
