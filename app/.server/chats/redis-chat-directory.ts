import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { LocalFanout } from "../local-fanout";
import { DEFAULT_PRESENCE_GRACE_MS } from "../rooms/types";
import type { RedisChannels } from "../redis/channels";
import type { RedisConnections } from "../redis/connections";
import { accountChannel, accountKeys, ACCOUNTS_DUE_KEY } from "../redis/keys";
import { defineScripts, unavailable } from "../redis/script-runner";
import { newestFirst } from "./chat-entries";
import { decodeAccountEvent, decodeEntry, decodeEntryLine, encodeAccountEvent } from "./redis-codec";
import {
  dueScript,
  presenceReadScript,
  presenceScript,
  publishScript,
  readScript,
  removeScript,
  touchScript,
} from "./redis-chat-scripts";
import type { AccountEvent, AccountEventListener, AccountPresence, ChatDirectory, ChatEntry, ChatTouch } from "./types";

const SCRIPTS = {
  ephAcctTouch: { numberOfKeys: 1, lua: touchScript },
  ephAcctRead: { numberOfKeys: 1, lua: readScript },
  ephAcctRemove: { numberOfKeys: 1, lua: removeScript },
  ephAcctPublish: { numberOfKeys: 1, lua: publishScript },
  ephAcctPresence: { numberOfKeys: 2, lua: presenceScript },
  ephAcctDue: { numberOfKeys: 1, lua: dueScript },
  ephAcctPresenceRead: { lua: presenceReadScript },
} as const;

/** Keeps this use of the server secret apart from its others (cookies, rate-limit keys, seals). */
const TAG_KEY_LABEL = "ephemera/1/account-keys";
/** How long an account's last seen is kept after its last presence change: past any chat's life. */
const LAST_SEEN_KEEP_MS = 8 * 24 * 60 * 60_000;
/** The due set outlives every instance's last write by this long (each heartbeat writes it). */
const DUE_TTL_MS = 60 * 60_000;
/** Due accounts settled per heartbeat, by whichever instance beats first. */
const DUE_BATCH = 200;

const UNREAD_OPS = { increment: "i", clear: "c", keep: "k" } as const;

type PresenceOp = "open" | "close" | "settle";
/** {changed, here, lastSeen (0: none), next check (0: none), partner ids when changed, account id}. */
type PresenceReply = [number, number, number, number, string[], string];

export interface RedisChatDirectoryOptions {
  /** The server secret: account keys are named by an HMAC of the account id under a key from it. */
  secret: string;
  /** How long an account whose last stream closed still counts as here. */
  presenceGraceMs?: number;
}

/**
 * Turns an account id into the tag its keys and channel are named by: an HMAC under a key derived
 * from the server secret (base64url, 22 characters). Instances sharing a Redis share the secret,
 * so they name an account's keys alike; nobody reading Redis learns whose they are.
 */
export function accountTagger(secret: string): (accountId: string) => string {
  const key = Buffer.from(hkdfSync("sha256", secret, "", TAG_KEY_LABEL, 32));
  return (accountId) => createHmac("sha256", key).update(accountId).digest("base64url").slice(0, 22);
}

/**
 * An account's presence from its live hash as `presenceScript` keeps it: here while any instance's
 * lease (`i:<instance>`) runs, or while the grace period after the last one closed (`g`) runs.
 * On one Redis, `presenceReadScript` reads the hashes the same way inside Redis.
 */
export function presenceFrom(live: Record<string, string>, now: number): AccountPresence {
  let leased = false;
  let lapsed = 0;
  for (const [field, value] of Object.entries(live)) {
    if (!field.startsWith("i:")) continue;
    if (Number(value) > now) leased = true;
    else lapsed = Math.max(lapsed, Number(value));
  }
  const inGrace = live.on !== undefined && live.g !== undefined && Number(live.g) > now;
  const here = leased || inGrace;
  // An instance that died left its lease to lapse: last seen when it did, as the script settles it.
  const crashed = !here && live.on !== undefined && live.g === undefined && lapsed > 0;
  const lastSeen = crashed ? lapsed : Number(live.ls ?? 0);
  return { here, lastSeen: lastSeen || null };
}

/** The tag of every account seen lately, so a list of 500 partners is not 500 HMACs each time. */
function remembered(tagOf: (accountId: string) => string, max = 100_000): (accountId: string) => string {
  const tags = new Map<string, string>();
  return (accountId) => {
    let tag = tags.get(accountId);
    if (tag === undefined) {
      tag = tagOf(accountId);
      if (tags.size >= max) tags.delete(tags.keys().next().value!);
      tags.set(accountId, tag);
    }
    return tag;
  };
}

/**
 * The multi-instance directory on the process's shared connections: one hash per account for its
 * list, one for its presence, one channel for its live updates, all in the account's slot.
 *
 * Presence is counted in leases: each instance with streams of an account open holds a lease on it
 * in Redis and renews it with every heartbeat, so an instance that dies stops counting once its
 * lease lapses (three heartbeats). Whatever may change by itself (a lease lapsing, a grace period
 * ending) is put in a due set that every instance's heartbeat settles, so the account's partners
 * are told even when the instance that should have told them is gone.
 */
export class RedisChatDirectory implements ChatDirectory {
  readonly kind = "redis";
  /** This process among the instances sharing the Redis. */
  readonly instanceId = randomBytes(9).toString("base64url");
  readonly heartbeatMs: number;
  /** How long a lease lasts unrenewed: an instance that stops beating is written off after it. */
  readonly leaseMs: number;
  private readonly run: ReturnType<typeof defineScripts<keyof typeof SCRIPTS>>;
  private readonly channels: RedisChannels;
  private readonly tagOf: (accountId: string) => string;
  private readonly commands: RedisConnections["commands"];
  private readonly cluster: boolean;
  private readonly graceMs: number;
  private readonly fanout = new LocalFanout<AccountEvent>();
  /** Open streams on this instance, by account. */
  private readonly streams = new Map<string, number>();
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  /** Steps in flight: closing waits for them. */
  private readonly pending = new Set<Promise<unknown>>();
  /** The heartbeat under way, if any: beats never overlap. */
  private beating: Promise<void> | null = null;

  constructor(connections: RedisConnections, options: RedisChatDirectoryOptions) {
    this.run = defineScripts(connections.commands, SCRIPTS);
    this.channels = connections.channels;
    this.tagOf = remembered(accountTagger(options.secret));
    this.commands = connections.commands;
    this.cluster = connections.cluster;
    this.graceMs = options.presenceGraceMs ?? DEFAULT_PRESENCE_GRACE_MS;
    // As room presence: an instance's people count as gone within three missed beats.
    this.heartbeatMs = Math.min(2000, Math.max(50, Math.round(this.graceMs / 2)));
    this.leaseMs = this.heartbeatMs * 3;
    this.heartbeatTimer = setInterval(() => {
      this.beating ??= this.heartbeat().finally(() => {
        this.beating = null;
      });
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  async touch(accountId: string, touch: ChatTouch): Promise<ChatEntry> {
    const tag = this.tagOf(accountId);
    const record = (await this.run(
      "ephAcctTouch",
      accountKeys(tag).chats,
      touch.chatId,
      touch.partnerId,
      touch.activityAt,
      touch.expiresAt,
      UNREAD_OPS[touch.unread],
      accountChannel(tag),
    )) as string;
    return decodeEntry(touch.chatId, record);
  }

  async entry(accountId: string, chatId: string, now: number): Promise<ChatEntry | null> {
    return (await this.read(accountId, now, chatId))[0] ?? null;
  }

  async list(accountId: string, now: number): Promise<ChatEntry[]> {
    return (await this.read(accountId, now, "")).sort(newestFirst);
  }

  private async read(accountId: string, now: number, chatId: string): Promise<ChatEntry[]> {
    const lines = (await this.run("ephAcctRead", accountKeys(this.tagOf(accountId)).chats, now, chatId)) as string;
    return lines === "" ? [] : lines.split("\n").map(decodeEntryLine);
  }

  async remove(accountId: string, chatId: string): Promise<boolean> {
    const tag = this.tagOf(accountId);
    return (await this.run("ephAcctRemove", accountKeys(tag).chats, chatId, accountChannel(tag))) === 1;
  }

  async connect(accountId: string): Promise<() => void> {
    const first = this.change(accountId, 1) === 1;
    try {
      // For every stream, not only the first: the last one's close may still be on its way.
      const [, , , leaseUntil] = await this.step("open", this.tagOf(accountId), accountId);
      // Should this instance die before its next heartbeat, someone settles the account then.
      if (first) this.track(this.due([this.tagOf(accountId), leaseUntil]));
    } catch (error) {
      this.change(accountId, -1);
      throw error;
    }
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      if (this.change(accountId, -1) === 0) this.track(this.step("close", this.tagOf(accountId)));
    };
  }

  /**
   * A read, never a step: a list of 500 partners costs one script reading every hash on a
   * standalone Redis (one command, where a pipeline was 500 for ioredis to make and parse) and one
   * HGETALL each on a Cluster, judged by this process's clock. Settling what changed by itself (a lease or
   * a grace period ending), and telling the partners, is the heartbeat's job.
   */
  async presence(accountIds: string[]): Promise<Map<string, AccountPresence>> {
    const unique = [...new Set(accountIds)];
    const keys = unique.map((accountId) => accountKeys(this.tagOf(accountId)).live);
    const found = new Map<string, AccountPresence>();
    if (this.cluster) {
      // A Cluster script must stay in one slot: each read goes to its own primary instead.
      const hashes = await Promise.all(keys.map((key) => this.commands.hgetall(key))).catch(unavailable);
      const now = Date.now();
      unique.forEach((accountId, index) => found.set(accountId, presenceFrom(hashes[index]!, now)));
    } else {
      const flat = (await this.run("ephAcctPresenceRead", keys.length, ...keys, Date.now())) as number[];
      unique.forEach((accountId, index) =>
        found.set(accountId, { here: flat[2 * index] === 1, lastSeen: flat[2 * index + 1] || null }),
      );
    }
    return found;
  }

  async publish(accountId: string, event: Exclude<AccountEvent, { type: "resync" }>): Promise<void> {
    const tag = this.tagOf(accountId);
    await this.run("ephAcctPublish", accountKeys(tag).chats, accountChannel(tag), encodeAccountEvent(event));
  }

  async subscribe(accountId: string, listener: AccountEventListener): Promise<() => void> {
    const channel = accountChannel(this.tagOf(accountId));
    const unsubscribe = () => {
      if (this.fanout.remove(accountId, listener)) this.channels.remove(channel);
    };
    this.fanout.add(accountId, listener);
    try {
      // One handler per account decodes each event once for all of this instance's listeners.
      await this.channels.add(channel, (payload) =>
        this.fanout.deliver(accountId, payload === null ? { type: "resync" } : decodeAccountEvent(payload)),
      );
    } catch (error) {
      unsubscribe();
      unavailable(error);
    }
    return unsubscribe;
  }

  /**
   * Stops the heartbeat and counts this instance's streams as closed, each account with its grace
   * period (a deploy's streams reconnect elsewhere within it), which another instance settles.
   */
  async close(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    // A beat under way could renew a lease after the close below: let it finish first.
    await this.beating;
    for (const timer of this.settleTimers) clearTimeout(timer);
    this.settleTimers.clear();
    const held = [...this.streams.keys()];
    this.streams.clear();
    for (const accountId of held) this.track(this.step("close", this.tagOf(accountId), "", { settleHere: false }));
    await Promise.allSettled([...this.pending]);
  }

  private change(accountId: string, delta: number): number {
    const count = (this.streams.get(accountId) ?? 0) + delta;
    if (count > 0) this.streams.set(accountId, count);
    else this.streams.delete(accountId);
    return count;
  }

  /**
   * One presence step. When presence flipped, the account's partners are told; when it may change
   * by itself later, the due set says when (and, after a close, this instance settles it then).
   */
  private async step(op: PresenceOp, tag: string, accountId = "", { settleHere = true } = {}): Promise<PresenceReply> {
    const keys = accountKeys(tag);
    const reply = (await this.run(
      "ephAcctPresence",
      keys.live,
      keys.chats,
      op,
      this.instanceId,
      this.graceMs,
      this.leaseMs,
      LAST_SEEN_KEEP_MS,
      accountId,
    )) as PresenceReply;
    const [changed, here, lastSeen, nextCheck, partners, id] = reply;
    if (changed === 1 && id) {
      const event = {
        type: "presence",
        accountId: id,
        presence: { here: here === 1, lastSeen: lastSeen || null },
      } as const;
      for (const partnerId of partners) this.track(this.publish(partnerId, event));
    }
    if (op === "close" && nextCheck > 0) {
      this.track(this.due([tag, nextCheck]));
      if (settleHere) this.settleAfterGrace(tag);
    }
    return reply;
  }

  private settleAfterGrace(tag: string): void {
    const timer = setTimeout(() => {
      this.settleTimers.delete(timer);
      if (!this.heldTags().has(tag)) this.track(this.settle(tag));
    }, this.graceMs + 50);
    timer.unref();
    this.settleTimers.add(timer);
  }

  private async settle(tag: string): Promise<void> {
    const [, , , nextCheck] = await this.step("settle", tag);
    await this.due([tag, nextCheck]);
  }

  /** The tags of the accounts this instance holds streams for. */
  private heldTags(): Set<string> {
    return new Set([...this.streams.keys()].map(this.tagOf));
  }

  /** Records when each account (by tag) must be checked again (0: never, unless set since). */
  private async due(...checks: Array<[string, number]>): Promise<void> {
    if (checks.length === 0) return;
    await this.run("ephAcctDue", ACCOUNTS_DUE_KEY, "set", DUE_TTL_MS, ...checks.flat());
  }

  /**
   * One heartbeat: renews this instance's lease on every account it holds streams for (re-asserting
   * them, should it have been written off meanwhile), and settles the accounts that are due, whoever
   * held them.
   */
  private async heartbeat(): Promise<void> {
    try {
      const held = [...this.streams.keys()];
      const renewed = await Promise.all(
        held.map(async (accountId) => {
          const tag = this.tagOf(accountId);
          return [tag, (await this.step("open", tag, accountId))[3]] as [string, number];
        }),
      );
      await this.due(...renewed);
      const due = (await this.run("ephAcctDue", ACCOUNTS_DUE_KEY, "due", DUE_BATCH)) as string[];
      const heldTags = new Set(renewed.map(([tag]) => tag));
      await Promise.all(due.filter((tag) => !heldTags.has(tag)).map((tag) => this.settle(tag)));
    } catch {
      // Redis is unreachable: the next beat tries again.
    }
  }

  private track(step: Promise<unknown>): void {
    const settled = step.catch(() => {
      // Best effort: a lost step is repaired by the next heartbeat (the due set, a lease renewal).
    });
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }
}
