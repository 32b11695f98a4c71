import type { Storage } from "../services";
import { MemoryChatDirectory } from "./memory-chat-directory";
import { RedisChatDirectory } from "./redis-chat-directory";
import type { ChatDirectory } from "./types";

export interface ChatDirectoryOptions {
  /** The server secret (SESSION_SECRET): Redis keys are named by an HMAC of the account id. */
  secret: string;
  presenceGraceMs?: number;
}

/** The directory beside the rooms: in this process with the memory store, in the same Redis otherwise. */
export function createChatDirectory(storage: Storage, options: ChatDirectoryOptions): ChatDirectory {
  if (storage.kind === "memory") return new MemoryChatDirectory({ presenceGraceMs: options.presenceGraceMs });
  return new RedisChatDirectory(storage.connections, options);
}
