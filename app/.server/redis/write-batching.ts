import { Cluster, type Redis } from "ioredis";
import type { RedisClient } from "./connections";

const holders = new WeakMap<Redis, () => void>();
const noBatching = () => {};

/**
 * Returns a function to call just before sending a command on `redis`: the first call in an
 * event-loop turn holds the connection's writes (`cork`) until the turn's check phase, so the
 * commands of every request handled in that turn reach Redis in one write.
 *
 * Each write to Redis is a system call that also wakes Redis, and at a few thousand sends a
 * second one write per command was the largest single cost in the server's profile
 * (bench/README.md). ioredis's own auto-pipelining flushes on `process.nextTick`, which runs
 * after each request's callback, so it never batches across requests. Holding until the check
 * phase delays a command by at most the rest of the turn it was issued in.
 *
 * A Redis Cluster has one socket per primary, opened and replaced as the slot map changes, so
 * there is no one socket to hold: its commands are written one by one (decision 025).
 */
export function writeBatcher(redis: RedisClient): () => void {
  if (redis instanceof Cluster) return noBatching;
  let hold = holders.get(redis);
  if (!hold) {
    let held: typeof redis.stream | undefined;
    const release = () => {
      const stream = held;
      held = undefined;
      stream?.uncork();
    };
    hold = () => {
      // Before `ready`, ioredis queues commands itself; there is nothing to batch yet.
      if (held || redis.status !== "ready") return;
      held = redis.stream;
      held.cork();
      setImmediate(release);
    };
    holders.set(redis, hold);
  }
  return hold;
}
