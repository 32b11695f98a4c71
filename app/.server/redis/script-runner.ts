import { Cluster, ReplyError } from "ioredis";
import type { RedisClient } from "./connections";
import { writeBatcher } from "./write-batching";
import { StoreFullError, StoreUnavailableError } from "../store-errors";

export interface ScriptDefinition {
  /** Left out: the first argument of each call says how many keys follow. */
  numberOfKeys?: number;
  lua: string;
}

type ScriptArgument = string | number | Buffer;
type Run = (...args: ScriptArgument[]) => Promise<unknown>;

/**
 * A script's own error (a bug) is a reply error, except Redis refusing a write at `maxmemory`
 * (`OOM command not allowed…`), which is the store being full. Anything else means Redis could
 * not be reached in time (down, or stalled past the command timeout), which the caller may retry.
 */
export function unavailable(error: unknown): never {
  if (error instanceof ReplyError) {
    if ((error as Error).message.startsWith("OOM "))
      throw new StoreFullError("Redis is out of memory (maxmemory)", { cause: error });
    throw error;
  }
  throw new StoreUnavailableError(error instanceof Error ? error.message : String(error), { cause: error });
}

/**
 * Defines `scripts` on the connection (ioredis runs each by EVALSHA, loading it when Redis lacks
 * it) and returns the one way to run them: by name, with unreachable-Redis errors turned into
 * StoreUnavailableError (`run.buffer` for binary replies). Commands issued in one event-loop
 * turn go to Redis in one write (write-batching.ts).
 *
 * On a Redis Cluster a script's PUBLISH becomes SPUBLISH: its channel carries the hash tag of the
 * keys it writes, so the event leaves from the primary that stored it (decision 025).
 */
export function defineScripts<Name extends string>(redis: RedisClient, scripts: Record<Name, ScriptDefinition>) {
  const sharded = redis instanceof Cluster;
  for (const [name, { numberOfKeys, lua }] of Object.entries<ScriptDefinition>(scripts)) {
    redis.defineCommand(name, { numberOfKeys, lua: sharded ? shardedPublish(lua) : lua });
  }
  const commands = redis as unknown as Record<string, Run>;
  const batchWrites = writeBatcher(redis);
  const run = (name: Name, ...args: ScriptArgument[]): Promise<unknown> => {
    batchWrites();
    return commands[name]!.apply(redis, args).catch(unavailable);
  };
  /** The same, with bulk replies as Buffers: for binary data such as sealed images. */
  const buffer = (name: Name, ...args: ScriptArgument[]): Promise<unknown> => {
    batchWrites();
    return commands[`${name}Buffer`]!.apply(redis, args).catch(unavailable);
  };
  return Object.assign(run, { buffer });
}

/** The script with every PUBLISH made a shard-channel SPUBLISH, for a Redis Cluster. */
export function shardedPublish(lua: string): string {
  return lua.replaceAll("redis.call('PUBLISH',", "redis.call('SPUBLISH',");
}
