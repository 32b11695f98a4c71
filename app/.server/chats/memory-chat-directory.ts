import { LocalFanout } from "../local-fanout";
import { DEFAULT_PRESENCE_GRACE_MS } from "../rooms/types";
import { nextEntry, newestFirst } from "./chat-entries";
import type { AccountEvent, AccountEventListener, AccountPresence, ChatDirectory, ChatEntry, ChatTouch } from "./types";

export interface MemoryChatDirectoryOptions {
  /** How long an account whose last stream closed still counts as here. */
  presenceGraceMs?: number;
}

/** An account's open streams, and whether it is announced as here: what its presence is made of. */
interface AccountStreams {
  streams: number;
  on: boolean;
  lastSeen: number | null;
  graceTimer?: NodeJS.Timeout;
}

/** The single-instance directory: everything in this process, gone when it ends. */
export class MemoryChatDirectory implements ChatDirectory {
  readonly kind = "memory";
  private readonly lists = new Map<string, Map<string, ChatEntry>>();
  private readonly live = new Map<string, AccountStreams>();
  private readonly fanout = new LocalFanout<AccountEvent>();
  private readonly graceMs: number;

  constructor(options: MemoryChatDirectoryOptions = {}) {
    this.graceMs = options.presenceGraceMs ?? DEFAULT_PRESENCE_GRACE_MS;
  }

  async touch(accountId: string, touch: ChatTouch): Promise<ChatEntry> {
    const list = this.lists.get(accountId) ?? new Map<string, ChatEntry>();
    this.lists.set(accountId, list);
    const entry = nextEntry(list.get(touch.chatId), touch);
    list.set(touch.chatId, entry);
    this.fanout.deliver(accountId, { type: "entry", entry: { ...entry } });
    return { ...entry };
  }

  async entry(accountId: string, chatId: string, now: number): Promise<ChatEntry | null> {
    const list = this.lists.get(accountId);
    const entry = list?.get(chatId);
    if (!list || !entry) return null;
    if (entry.expiresAt > now) return { ...entry };
    this.drop(accountId, list, chatId);
    return null;
  }

  async list(accountId: string, now: number): Promise<ChatEntry[]> {
    return this.liveEntries(accountId, now).map((entry) => ({ ...entry }));
  }

  async remove(accountId: string, chatId: string): Promise<boolean> {
    const list = this.lists.get(accountId);
    if (!list?.has(chatId)) return false;
    this.drop(accountId, list, chatId);
    this.fanout.deliver(accountId, { type: "removed", chatId });
    return true;
  }

  async connect(accountId: string): Promise<() => void> {
    const presence = this.live.get(accountId) ?? { streams: 0, on: false, lastSeen: null };
    this.live.set(accountId, presence);
    presence.streams += 1;
    clearTimeout(presence.graceTimer);
    presence.graceTimer = undefined;
    if (!presence.on) {
      presence.on = true;
      this.announce(accountId, presence);
    }
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      presence.streams -= 1;
      if (presence.streams > 0 || this.live.get(accountId) !== presence) return;
      presence.lastSeen = Date.now();
      // A reload opens a new stream well within the grace period, so it never shows as leaving.
      presence.graceTimer = setTimeout(() => {
        presence.graceTimer = undefined;
        if (presence.streams > 0 || this.live.get(accountId) !== presence) return;
        presence.on = false;
        this.announce(accountId, presence);
      }, this.graceMs);
      presence.graceTimer.unref();
    };
  }

  async presence(accountIds: string[]): Promise<Map<string, AccountPresence>> {
    return new Map(
      accountIds.map((accountId) => {
        const presence = this.live.get(accountId);
        return [accountId, { here: presence?.on ?? false, lastSeen: presence?.lastSeen ?? null }];
      }),
    );
  }

  async publish(accountId: string, event: Exclude<AccountEvent, { type: "resync" }>): Promise<void> {
    this.fanout.deliver(accountId, event);
  }

  async subscribe(accountId: string, listener: AccountEventListener): Promise<() => void> {
    this.fanout.add(accountId, listener);
    return () => void this.fanout.remove(accountId, listener);
  }

  async close(): Promise<void> {
    for (const presence of this.live.values()) clearTimeout(presence.graceTimer);
    this.live.clear();
  }

  /** Tells each partner in the account's list (as it is now) what its presence has become. */
  private announce(accountId: string, presence: AccountStreams): void {
    const event: AccountEvent = {
      type: "presence",
      accountId,
      presence: { here: presence.on, lastSeen: presence.lastSeen },
    };
    for (const entry of this.liveEntries(accountId, Date.now())) this.fanout.deliver(entry.partnerId, event);
  }

  /** The account's live entries at `now`, newest first, dropping expired ones on the way. */
  private liveEntries(accountId: string, now: number): ChatEntry[] {
    const list = this.lists.get(accountId);
    if (!list) return [];
    for (const [chatId, entry] of list) if (entry.expiresAt <= now) list.delete(chatId);
    if (list.size === 0) this.lists.delete(accountId);
    return [...list.values()].sort(newestFirst);
  }

  private drop(accountId: string, list: Map<string, ChatEntry>, chatId: string): void {
    list.delete(chatId);
    if (list.size === 0 && this.lists.get(accountId) === list) this.lists.delete(accountId);
  }
}
