import type { RedisConnections } from "../redis/connections";
import { MemoryChatDirectory } from "./memory-chat-directory";
import { RedisChatDirectory } from "./redis-chat-directory";
import type { ChatDirectory } from "./types";

export interface ChatDirectoryOptions {
  /** Account ids become key names only through an HMAC under it. */
  secret: string;
  presenceGraceMs: number;
}

/** The lists live beside the rooms: in Redis when the rooms are, else in this process. */
export function createChatDirectory(
  storage: { kind: "memory" } | { kind: "redis"; connections: RedisConnections },
  options: ChatDirectoryOptions,
): ChatDirectory {
  return storage.kind === "redis"
    ? new RedisChatDirectory(storage.connections, options)
    : new MemoryChatDirectory(options);
}
