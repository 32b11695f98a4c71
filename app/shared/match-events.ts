/** What the browser receives about "Talk to a stranger". */

/** Two people who just talked are not paired with each other again for this long after their chat. */
export const LAST_PARTNER_COOLDOWN_MS = 600_000;

export type StrangerState =
  | { status: "idle" }
  /**
   * In the queue since `since` (ms since epoch). `lastPartnerUntil` is there while the person
   * they just talked to is searching too, and says why the two are not paired: not before then.
   */
  | { status: "waiting"; since: number; lastPartnerUntil?: number }
  /** Paired: the chat is the room `roomId`, whose two seats are held for the two strangers. */
  | { status: "matched"; roomId: string };

/** People in the queue, and everyone "online" (waiting or in a stranger chat), on every instance. */
export interface StrangerCounts {
  online: number;
  waiting: number;
}

export type MatchEvent = { type: "state"; state: StrangerState } | ({ type: "counts" } & StrangerCounts);
