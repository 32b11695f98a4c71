/**
 * Each account's list of direct chats, their presence and their live updates. Nothing here lasts:
 * an entry expires with its chat's last message, and PostgreSQL never learns who talks to whom.
 * Two implementations (memory, Redis) held to one contract suite (chat-directory.contract.test.ts).
 *
 * Account ids are the accounts store's ids. Redis keys are named by an HMAC of the account id
 * under the server secret, never by the id itself, each account's keys in one Cluster slot.
 */

/** One chat in an account's list. */
export interface ChatEntry {
  chatId: string;
  /** The other account's id. */
  partnerId: string;
  /** The last message or notice (ms since epoch); what the list is ordered by, newest first. */
  lastActivityAt: number;
  /** When the chat's last message expires: the entry goes with it. */
  expiresAt: number;
  /** Partner messages since this account last read the chat. */
  unread: number;
}

/** What changed in one entry: activity only moves forward, expiry only later. */
export interface ChatTouch {
  chatId: string;
  partnerId: string;
  activityAt: number;
  expiresAt: number;
  /** `increment`: a partner message arrived; `clear`: read; `keep`: anything else. */
  unread: "increment" | "clear" | "keep";
}

/** An account's presence as its partners see it: any open account stream on any instance. */
export interface AccountPresence {
  here: boolean;
  /** When its last stream closed (ms since epoch); null when never seen or unknown. */
  lastSeen: number | null;
}

/** Published to one account, on every instance that has its streams open. */
export type AccountEvent =
  /** An entry changed (or appeared): the new entry. */
  | { type: "entry"; entry: ChatEntry }
  /** An entry went (cleared by deletion, account deleted): remove it. */
  | { type: "removed"; chatId: string }
  /** A partner's presence changed. */
  | { type: "presence"; accountId: string; presence: AccountPresence }
  /** The subscription was interrupted: re-read the list. Local, never published. */
  | { type: "resync" };

export type AccountEventListener = (event: AccountEvent) => void;

export interface ChatDirectory {
  readonly kind: "memory" | "redis";
  /**
   * Creates or updates the account's entry for a chat and publishes the new entry to the account.
   * `lastActivityAt` and `expiresAt` take the later of old and new, so updates may arrive in any order.
   * An entry that had expired by `activityAt` counts as none: the chat starts again, unread from 0.
   */
  touch(accountId: string, touch: ChatTouch): Promise<ChatEntry>;
  /** The entry, or null (none, or expired at `now`, which also drops it). */
  entry(accountId: string, chatId: string, now: number): Promise<ChatEntry | null>;
  /**
   * Live entries (`expiresAt > now`), newest activity first; expired ones are dropped on the way.
   * One read however long the list.
   */
  list(accountId: string, now: number): Promise<ChatEntry[]>;
  /** Removes the entry (publishing `removed`); false when there was none. */
  remove(accountId: string, chatId: string): Promise<boolean>;
  /**
   * Marks one of the account's streams open; resolves to the function to call when it closes.
   * The account counts as here while any of its streams is open on any instance (and for the
   * presence grace period after the last one closed, so a reload does not flap); `lastSeen` is
   * when that last one closed. Each change is published as `presence` for `accountId` to every
   * partner in the account's list (its live entries at the moment of the change), never to the
   * account itself. An instance that dies holding streams stops counting once its leases lapse
   * (a few heartbeats), and its partners are told.
   */
  connect(accountId: string): Promise<() => void>;
  /** Presence of several accounts in one read (for a list); one never seen is `{here: false, lastSeen: null}`. */
  presence(accountIds: string[]): Promise<Map<string, AccountPresence>>;
  /** Publishes an event to one account's subscribers (on every instance). */
  publish(accountId: string, event: Exclude<AccountEvent, { type: "resync" }>): Promise<void>;
  /**
   * Resolves once live delivery is in place. When delivery was interrupted (the subscriber
   * connection dropped and came back), listeners get a local `resync`: re-read the list.
   */
  subscribe(accountId: string, listener: AccountEventListener): Promise<() => void>;
  /** Stops its timers and releases what this instance holds (its streams count as closed). */
  close(): Promise<void>;
}
