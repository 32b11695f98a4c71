import type { PublishedEvent, StoredMessage } from "./types";

/**
 * The one codec between Redis and the app. Stored messages use short field names because every
 * byte is kept once per message; published events are a one-letter type followed by the body.
 */
interface CompactMessage {
  id: number;
  a: number;
  s: string;
  t: string;
  ts: number;
  c?: string;
}

export function decodeStoredMessage(json: string): StoredMessage {
  const raw = JSON.parse(json) as CompactMessage;
  const message: StoredMessage = { id: raw.id, author: raw.a, sender: raw.s, text: raw.t, timestamp: raw.ts };
  if (raw.c) message.clientId = raw.c;
  return message;
}

export function decodeEvent(payload: string): PublishedEvent {
  switch (payload[0]) {
    case "m":
      return { type: "message", message: decodeStoredMessage(payload.slice(1)) };
    case "j":
      return { type: "members", count: Number(payload.slice(1)) };
    case "d":
      return { type: "destroyed", id: Number(payload.slice(1)) };
    default:
      throw new Error(`unknown room event tag ${JSON.stringify(payload[0])}`);
  }
}

/** Keys share the `{roomId}` hash tag so a Redis Cluster keeps a room on one shard. */
export const roomKeys = (roomId: string) => ({
  meta: `room:{${roomId}}:meta`,
  members: `room:{${roomId}}:members`,
  messages: `room:{${roomId}}:msgs`,
});

export const CHANNEL_PREFIX = "ephemera:room:";
export const roomChannel = (roomId: string) => `${CHANNEL_PREFIX}${roomId}`;
