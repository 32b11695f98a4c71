import { Cluster, Redis } from "ioredis";
import { RedisChannels } from "./channels";

export type ConnectionName = "commands" | "subscriber";

/** Commands go to one Redis, or to whichever primary of a Redis Cluster holds the key's slot. */
export type RedisClient = Redis | Cluster;

/**
 * Where Redis is: a standalone server's URL, the `host:port` of some of a Cluster's nodes, or
 * some of the sentinels that name the current primary of `name` (decision 027).
 */
export type RedisTarget =
  | string
  | { clusterNodes: string[] }
  | { sentinels: Array<{ host: string; port: number }>; name: string; sentinelPassword?: string };

export interface RedisConnectionOptions {
  onError?: (error: Error, connection: ConnectionName) => void;
  onReconnecting?: (connection: ConnectionName) => void;
  /**
   * How long a command may go unanswered before it fails as StoreUnavailableError; unset, it
   * waits as long as Redis takes. The app always sets it (REDIS_COMMAND_TIMEOUT_MS).
   */
  commandTimeoutMs?: number;
  /** Names the connections in Redis' CLIENT LIST. */
  connectionName?: string;
}

/**
 * The process's two connections to Redis, built once and shared by every store: rooms, the
 * stranger queue, rate limits, the image budget and stream slots.
 */
export interface RedisConnections {
  /** Commands and scripts. */
  readonly commands: RedisClient;
  /** The one subscriber connection, shared by everything that listens (not one per stream). */
  readonly channels: RedisChannels;
  /** Whether this is a Redis Cluster: scripts then publish on shard channels (decision 025). */
  readonly cluster: boolean;
  /** Closes both; the stores using them must have finished first. */
  close(): Promise<void>;
}

/** Parses REDIS_CLUSTER_NODES or REDIS_SENTINELS (`host:port,…`). */
export function parseClusterNodes(list: string): Array<{ host: string; port: number }> {
  return list
    .split(",")
    .map((node) => node.trim())
    .filter(Boolean)
    .map((node) => {
      const colon = node.lastIndexOf(":");
      return { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) };
    });
}

export function createRedisConnections(target: RedisTarget, options: RedisConnectionOptions = {}): RedisConnections {
  // A command waits through at most two reconnection attempts (~300 ms) before failing, so a
  // send during an outage gets a prompt, retryable error instead of hanging. A Redis that is
  // connected but does not answer (paused, swapping) fails it after the command timeout; the
  // command may still run when Redis resumes, which a send's clientId makes safe to retry.
  // The subscriber has the same timeout, which only ever applies to its (un)subscribe commands:
  // a quiet subscription has no command waiting.
  const nodeOptions = {
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
    commandTimeout: options.commandTimeoutMs,
    connectionName: options.connectionName,
  };
  let commands: RedisClient;
  let subscriber: RedisClient;
  if (typeof target === "string") {
    commands = new Redis(target, nodeOptions);
    subscriber = commands.duplicate();
  } else if ("sentinels" in target) {
    // ioredis asks the sentinels for the primary on every (re)connect and checks with INFO that
    // the server it reached is a primary (`role: "master"`), retrying otherwise: after a failover
    // both connections land on the promoted replica, and the subscriber, like a standalone one,
    // subscribes again and tells its listeners to re-read (channels.ts). Not ioredis'
    // `failoverDetector`: its +switch-master arriving while the client is still resolving the
    // primary ends the client for good (ioredis 5.11), and Sentinel disconnects the clients of a
    // primary it demotes anyway. A READONLY reply means the server was demoted under a live
    // connection: reconnect through the sentinels and send the command again (Redis ran none of it).
    commands = new Redis({
      ...nodeOptions,
      sentinels: target.sentinels,
      name: target.name,
      role: "master",
      sentinelPassword: target.sentinelPassword,
      sentinelRetryStrategy: nodeOptions.retryStrategy,
      reconnectOnError: (error) => (error.message.startsWith("READONLY") ? 2 : false),
    });
    subscriber = commands.duplicate();
  } else {
    const nodes = target.clusterNodes.map((node) => {
      const [{ host, port }] = parseClusterNodes(node) as [{ host: string; port: number }];
      return { host, port };
    });
    const clusterOptions = {
      redisOptions: nodeOptions,
      clusterRetryStrategy: nodeOptions.retryStrategy,
      maxRedirections: 16,
    };
    commands = new Cluster(nodes, clusterOptions);
    // Shard channels are served by the primary that holds their slot: ioredis keeps one sharded
    // subscriber per primary and moves subscriptions when slots move (decision 025).
    subscriber = new Cluster(nodes, { ...clusterOptions, shardedSubscribers: true });
  }
  commands.on("error", (error: Error) => options.onError?.(error, "commands"));
  subscriber.on("error", (error: Error) => options.onError?.(error, "subscriber"));
  commands.on("reconnecting", () => options.onReconnecting?.("commands"));
  subscriber.on("reconnecting", () => options.onReconnecting?.("subscriber"));
  return {
    commands,
    channels: new RedisChannels(subscriber),
    cluster: commands instanceof Cluster,
    close: async () => {
      await Promise.allSettled([subscriber.quit(), commands.quit()]);
    },
  };
}

/**
 * The connections to every primary: one Redis, or each primary of the Cluster as ioredis knows
 * them now. Checks that must hold everywhere (persistence, readiness) ask each.
 */
export async function primaries(redis: RedisClient): Promise<Redis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  // Until the Cluster has read the slot map it knows no primary; a command waits for that.
  if (redis.status !== "ready") await redis.cluster("INFO");
  return redis.nodes("master");
}
