import { Cluster } from "ioredis";
import type { RedisClient } from "./connections";
import type { SlotClaim, SlotCounter, SlotGrant } from "../stream-slots";
import { INSTANCES_KEY } from "./keys";
import { instanceAlive, NOW_MS } from "./lua";
import { defineScripts } from "./script-runner";

const SLOTS_PREFIX = "ephemera:slots:";
/**
 * A slot hash outlives its last write by this long. Instances refresh theirs well within it while
 * their streams stay open; it only clears what a dead instance left where nobody counts again.
 */
const SLOTS_TTL_MS = 15 * 60_000;
const REFRESH_EVERY_MS = 5 * 60_000;

/**
 * KEYS: instances, the person's slot hash, the address's. ARGV: instance id, instanceTimeoutMs,
 * ttlMs, then for each of the two: its cap, and this instance's streams under it counting the new
 * one. A slot hash holds, per instance, how many streams it has open under that key: an absolute
 * count, so a repeated write changes nothing. Instances that stopped heartbeating (crashed, cut
 * off) count for nothing and are dropped, as in presence. Returns 0 having counted the stream
 * under both keys, or which one (1 or 2) it would take past its cap, having counted nothing.
 */
const acquireScript = `
${NOW_MS}
local instance, timeoutMs = ARGV[1], tonumber(ARGV[2])
${instanceAlive("KEYS[1]")}
for k = 1, 2 do
  local key, total = KEYS[k + 1], tonumber(ARGV[3 + 2 * k])
  local fields = redis.call('HGETALL', key)
  for i = 1, #fields, 2 do
    if fields[i] ~= instance then
      if isAlive(fields[i]) then total = total + tonumber(fields[i + 1]) else redis.call('HDEL', key, fields[i]) end
    end
  end
  if total > tonumber(ARGV[2 + 2 * k]) then return k end
end
for k = 1, 2 do
  redis.call('HSET', KEYS[k + 1], instance, ARGV[3 + 2 * k])
  redis.call('PEXPIRE', KEYS[k + 1], ARGV[3])
end
return 0`;

/**
 * On a Redis Cluster, where the person's and the address's slot hashes sit in different slots: one
 * of them at a time. KEYS: a slot hash. ARGV: instance id, ttlMs, cap, this instance's streams
 * under it counting the new one, then the instances known to have stopped heartbeating (their
 * counts are dropped). Returns 0 having counted the stream, 1 when it would pass the cap.
 */
const claimOneScript = `
local instance, total = ARGV[1], tonumber(ARGV[4])
local dead = {}
for i = 5, #ARGV do dead[ARGV[i]] = true end
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if fields[i] ~= instance then
    if dead[fields[i]] then redis.call('HDEL', KEYS[1], fields[i]) else total = total + tonumber(fields[i + 1]) end
  end
end
if total > tonumber(ARGV[3]) then return 1 end
redis.call('HSET', KEYS[1], instance, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0`;

/** KEYS: a slot hash. ARGV: instance id, ttlMs, this instance's streams under it now (0: none). */
const setScript = `
if tonumber(ARGV[3]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0`;

/**
 * This instance among those sharing the Redis, and its heartbeats in INSTANCES_KEY: room presence
 * keeps them (decision 006), and anything else counting per instance rides on them.
 */
export interface InstanceHeartbeats {
  readonly instanceId: string;
  readonly heartbeatMs: number;
  /** Missing heartbeats for this long means an instance is gone. */
  readonly instanceTimeoutMs: number;
  /** The instances whose heartbeats have stopped, as of the last heartbeat. */
  deadInstances(): string[];
  /** Calls `listener` after each heartbeat that reached Redis; `missedBeats` when others may have written this one off. */
  onHeartbeat(listener: (missedBeats: boolean) => void): void;
}

const SCRIPTS = {
  ephSlotsAcquire: { numberOfKeys: 3, lua: acquireScript },
  ephSlotsSet: { numberOfKeys: 1, lua: setScript },
  ephSlotsClaimOne: { numberOfKeys: 1, lua: claimOneScript },
} as const;

/**
 * Open streams per person and per address, counted across every instance sharing the Redis. It
 * rides on presence's instance ids and heartbeats (decision 006): each instance writes only its own
 * counts, a crashed one's stop counting once its heartbeats stop, and one that was cut off from
 * Redis long enough to be written off asserts its counts again when it is back.
 */
export class RedisSlotCounter implements SlotCounter {
  /** Open streams on this instance, by slot hash. */
  private readonly local = new Map<string, number>();
  private readonly run: ReturnType<typeof defineScripts<keyof typeof SCRIPTS>>;
  /** Keys whose count in Redis may be off (a write lost, a refusal racing an acceptance). */
  private readonly unsynced = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();
  private beats = 0;
  private readonly cluster: boolean;

  constructor(
    redis: RedisClient,
    private readonly instance: InstanceHeartbeats,
  ) {
    this.run = defineScripts(redis, SCRIPTS);
    this.cluster = redis instanceof Cluster;
    const refreshEvery = Math.max(1, Math.round(REFRESH_EVERY_MS / instance.heartbeatMs));
    instance.onHeartbeat((missedBeats) => {
      this.beats += 1;
      const keys =
        missedBeats || this.beats % refreshEvery === 0
          ? new Set([...this.local.keys(), ...this.unsynced])
          : this.unsynced;
      for (const key of [...keys]) this.sync(key);
    });
  }

  async acquire(person: SlotClaim, address: SlotClaim): Promise<SlotGrant> {
    const keys = [SLOTS_PREFIX + person.key, SLOTS_PREFIX + address.key];
    // Counted here first, so two streams opening at once each send a count that includes the other.
    const counts = keys.map((key) => this.change(key, 1));
    let full: number;
    try {
      full = this.cluster
        ? await this.claimEach(keys, [person.cap, address.cap], counts)
        : await this.claimBoth(keys, [person.cap, address.cap], counts);
    } catch (error) {
      // The script may have run before the reply was lost: the next heartbeat writes the truth.
      for (const key of keys) this.unsync(key);
      throw error;
    }
    if (full > 0) {
      // Another stream of the same person, accepted meanwhile, may have sent a count that
      // included this one.
      for (const key of keys) this.unsync(key);
      // On a Cluster the person's count was written before the address refused: put it right now.
      if (this.cluster && full === 2) this.sync(keys[0]!);
      return { full: full === 1 ? 0 : 1 };
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const key of keys) {
          this.change(key, -1);
          this.sync(key);
        }
      },
    };
  }

  /** Both counts in one script, all or nothing. Returns 0, or which key (1, 2) is full. */
  private async claimBoth(keys: string[], caps: number[], counts: number[]): Promise<number> {
    return (await this.run(
      "ephSlotsAcquire",
      INSTANCES_KEY,
      ...keys,
      this.instance.instanceId,
      this.instance.instanceTimeoutMs,
      SLOTS_TTL_MS,
      caps[0]!,
      counts[0]!,
      caps[1]!,
      counts[1]!,
    )) as number;
  }

  /**
   * On a Redis Cluster the two keys sit in different slots, so each is claimed on its own: the
   * person's first, then the address's. Refused at the address, the person's count was briefly
   * one too high (the caller writes it back), which can only refuse a stream that a moment later
   * would have been let in: the caps hold. Returns 0, or which key (1, 2) is full.
   */
  private async claimEach(keys: string[], caps: number[], counts: number[]): Promise<number> {
    const dead = this.instance.deadInstances();
    for (const [index, key] of keys.entries()) {
      const args = [this.instance.instanceId, SLOTS_TTL_MS, caps[index]!, counts[index]!, ...dead];
      if ((await this.run("ephSlotsClaimOne", key, ...args)) === 1) {
        return index + 1;
      }
    }
    return 0;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private change(key: string, delta: number): number {
    const count = (this.local.get(key) ?? 0) + delta;
    if (count > 0) this.local.set(key, count);
    else this.local.delete(key);
    return count;
  }

  private unsync(key: string): void {
    this.change(key, -1);
    this.unsynced.add(key);
  }

  /** Writes this instance's count under `key` as it is now, renewing the key's expiry. */
  private sync(key: string): void {
    this.unsynced.delete(key);
    const step = this.run("ephSlotsSet", key, this.instance.instanceId, SLOTS_TTL_MS, this.local.get(key) ?? 0).catch(
      () => {
        // Written again at the next heartbeat.
        this.unsynced.add(key);
      },
    );
    this.pending.add(step);
    void step.finally(() => this.pending.delete(step));
  }
}
