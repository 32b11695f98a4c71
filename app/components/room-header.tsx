import type { ReactNode } from "react";
import type { PartnerState } from "~/lib/partner";
import { Countdown } from "./countdown";
import { PartnerStatus } from "./partner-status";

interface RoomHeaderProps {
  /** When the room self-destructs; null for a direct chat, whose messages each expire instead. */
  deadline: number | null;
  partner: PartnerState;
  stranger: boolean;
  /** A direct chat's partner, by the account name the server vouches for. */
  partnerUsername?: string;
  /** Beside the title: a stranger chat's safety code, a direct chat's way back to the list. */
  aside?: ReactNode;
  /** The room's controls: a private room's or a stranger chat's. */
  children: ReactNode;
}

/**
 * One row from the `sm` width up: the title with the partner's status beneath it (as a messenger
 * shows a contact), the countdown, then the controls. On a phone the controls take a second row.
 */
export function RoomHeader({ deadline, partner, stranger, partnerUsername, aside, children }: RoomHeaderProps) {
  return (
    <header className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-zinc-800 bg-zinc-950/90 px-4 py-2 sm:flex-nowrap">
      <div className="min-w-0 flex-1">
        <div className="flex items-baseline gap-3 whitespace-nowrap">
          <h1 className="font-bold text-emerald-400">{">"} ephemera</h1>
          {aside}
        </div>
        <PartnerStatus partner={partner} stranger={stranger} username={partnerUsername} />
      </div>
      {deadline !== null && <Countdown deadline={deadline} />}
      <div className="flex w-full items-center justify-end gap-1.5 sm:w-auto sm:gap-2">{children}</div>
    </header>
  );
}
