import type { StrangerState } from "~/shared/match-events";

/** Where a visitor stands with "Talk to a stranger": exactly what the browser is told. */
export type MatchState = StrangerState;

/**
 * Right now, across every instance: people waiting, and people in stranger chats whose page is
 * open (or was closed less than the grace period ago). A chat both left without ending it is
 * nobody: its room lives on until its deadline, its people do not.
 */
export interface MatchCounts {
  waiting: number;
  chatting: number;
}

/** The hour's aggregates: nothing about any one person or conversation. */
export interface MatchHourStats {
  matches: number;
  /** Upper bounds of the histogram buckets holding the median, in seconds; null without data. */
  medianWaitSeconds: number | null;
  medianChatSeconds: number | null;
}

export interface FindOptions {
  /** The id the room gets if a partner is found now (made by the caller: ids come from one place). */
  roomId: string;
  roomTtlMs: number;
}

export interface EndedChat {
  roomId: string;
}

/** Called with each change of the visitor's state, or with null after a gap (re-read it). */
export type MatchListener = (state: MatchState | null) => void;

/**
 * The stranger queue. Both implementations pass `match-store.contract.test.ts`; the Redis one
 * keeps the queue in Redis so visitors on different instances are paired with each other.
 *
 * A visitor is a hash of the token in their browser's visitor cookie: the store never sees the
 * token, keeps no record of anyone once their chat and the day's block are over, and only
 * aggregate counts per hour.
 */
export interface MatchStore {
  /**
   * Pairs the visitor with the longest-waiting compatible visitor (never themselves, never the
   * partner of a chat that ended less than LAST_PARTNER_COOLDOWN_MS ago, never a pair blocked
   * today), creating the room with both seats claimed for them, or queues them. A visitor in a
   * live chat gets it back; one already waiting keeps their place and looks again (a cooldown may
   * have ended). A waiting state carries `lastPartnerUntil` while the last partner is waiting too.
   */
  find(visitorId: string, options: FindOptions): Promise<MatchState>;
  /** Leaves the queue. */
  cancel(visitorId: string): Promise<void>;
  state(visitorId: string): Promise<MatchState>;
  /**
   * Ends the visitor's chat for both and destroys its room in the same step, records its length, and with
   * `block` bars this pair from meeting again until the end of the day (UTC). Null when the
   * visitor was in no chat, or in another one than `roomId`.
   */
  end(visitorId: string, roomId: string, options: { block: boolean }): Promise<EndedChat | null>;
  /**
   * Keeps a waiting visitor queued while one of their streams is open; after the last one closes
   * they stay queued for the grace period only (a reload keeps their place).
   */
  hold(visitorId: string): Promise<() => void>;
  counts(): Promise<MatchCounts>;
  hourStats(): Promise<MatchHourStats>;
  subscribe(visitorId: string, listener: MatchListener): Promise<() => void>;
  close(): Promise<void>;
}
