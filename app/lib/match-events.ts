/** What the browser receives about "Talk to a stranger"; shared as types only. */

export type StrangerState =
  | { status: "idle" }
  /** In the queue since `since` (ms since epoch). */
  | { status: "waiting"; since: number }
  /** Paired: the chat is the room `roomId`, whose two seats are held for the two strangers. */
  | { status: "matched"; roomId: string };

/** People in the queue, and everyone "online" (waiting or in a stranger chat), on every instance. */
export interface StrangerCounts {
  online: number;
  waiting: number;
}

export type MatchEvent = { type: "state"; state: StrangerState } | ({ type: "counts" } & StrangerCounts);
