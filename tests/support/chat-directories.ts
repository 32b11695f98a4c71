import { inject } from "vitest";
import { MemoryChatDirectory } from "~/.server/chats/memory-chat-directory";
import { RedisChatDirectory, type RedisChatDirectoryOptions } from "~/.server/chats/redis-chat-directory";
import type { ChatDirectory } from "~/.server/chats/types";
import {
  createRedisConnections,
  type RedisConnectionOptions,
  type RedisConnections,
  type RedisTarget,
} from "~/.server/redis/connections";
import { clusterTarget, TEST_PRESENCE_GRACE_MS, type RoomStoreKind } from "./stores";

/** The secret the suite's directories name account keys with. */
export const TEST_DIRECTORY_SECRET = "test-directory-secret-test-directory-secret";

/** A Redis directory that is the only user of its connections, so closing it closes them. */
export class RedisChatDirectoryOnItsOwn extends RedisChatDirectory {
  constructor(
    readonly connections: RedisConnections,
    options: RedisChatDirectoryOptions,
  ) {
    super(connections, options);
  }

  override async close() {
    await super.close();
    await this.connections.close();
  }
}

/** A Redis directory on connections of its own, to the suite's Redis or Redis Cluster. */
export function redisChatDirectory(
  target: RedisTarget,
  options: Partial<RedisChatDirectoryOptions> & RedisConnectionOptions = {},
): RedisChatDirectoryOnItsOwn {
  return new RedisChatDirectoryOnItsOwn(createRedisConnections(target, options), {
    secret: TEST_DIRECTORY_SECRET,
    presenceGraceMs: TEST_PRESENCE_GRACE_MS,
    ...options,
  });
}

/** Where a Redis directory of this kind talks to. */
export const directoryTarget = (kind: "redis" | "cluster"): RedisTarget =>
  kind === "cluster" ? clusterTarget() : inject("redisUrl");

/** A real directory of any kind, with the suite's short grace period. */
export function makeChatDirectory(kind: RoomStoreKind): ChatDirectory {
  if (kind === "memory") return new MemoryChatDirectory({ presenceGraceMs: TEST_PRESENCE_GRACE_MS });
  return redisChatDirectory(directoryTarget(kind));
}
