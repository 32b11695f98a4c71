import { Redis } from "ioredis";
import { RedisChannels } from "./channels";

export type ConnectionName = "commands" | "subscriber";

export interface RedisConnectionOptions {
  onError?: (error: Error, connection: ConnectionName) => void;
  onReconnecting?: (connection: ConnectionName) => void;
  /**
   * How long a command may go unanswered before it fails as StoreUnavailableError; unset, it
   * waits as long as Redis takes. The app always sets it (REDIS_COMMAND_TIMEOUT_MS).
   */
  commandTimeoutMs?: number;
}

/**
 * The process's two connections to Redis, built once and shared by every store: rooms, the
 * stranger queue, rate limits, the image budget and stream slots.
 */
export interface RedisConnections {
  /** Commands and scripts. */
  readonly commands: Redis;
  /** The one subscriber connection, shared by everything that listens (not one per stream). */
  readonly channels: RedisChannels;
  /** Closes both; the stores using them must have finished first. */
  close(): Promise<void>;
}

export function createRedisConnections(url: string, options: RedisConnectionOptions = {}): RedisConnections {
  // A command waits through at most two reconnection attempts (~300 ms) before failing, so a
  // send during an outage gets a prompt, retryable error instead of hanging. A Redis that is
  // connected but does not answer (paused, swapping) fails it after the command timeout; the
  // command may still run when Redis resumes, which a send's clientId makes safe to retry.
  // The subscriber (a duplicate) has the same timeout, which only ever applies to its
  // (un)subscribe commands: a quiet subscription has no command waiting.
  const commands = new Redis(url, {
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    commandTimeout: options.commandTimeoutMs,
  });
  const subscriber = commands.duplicate();
  commands.on("error", (error) => options.onError?.(error, "commands"));
  subscriber.on("error", (error) => options.onError?.(error, "subscriber"));
  commands.on("reconnecting", () => options.onReconnecting?.("commands"));
  subscriber.on("reconnecting", () => options.onReconnecting?.("subscriber"));
  return {
    commands,
    channels: new RedisChannels(subscriber),
    close: async () => {
      await Promise.allSettled([subscriber.quit(), commands.quit()]);
    },
  };
}
