import type { PublishedEvent, StoredMessage } from "./types";

/**
 * The one codec between Redis and the app. A stored message is one record,
 * `id|author|timestamp|clientId|ciphertext` (written by the send script), because every byte is
 * kept once per message; published events are a one-letter type followed by the body.
 */
export function decodeStoredMessage(record: string): StoredMessage {
  if (record.startsWith("{")) return decodeLegacyMessage(record);
  const fields: string[] = [];
  let start = 0;
  for (let field = 0; field < 4; field += 1) {
    const end = record.indexOf("|", start);
    if (end < 0) throw new Error("malformed stored message");
    fields.push(record.slice(start, end));
    start = end + 1;
  }
  const [id, author, timestamp, clientId] = fields;
  const message: StoredMessage = { id: Number(id), author: Number(author), ciphertext: record.slice(start), timestamp: Number(timestamp) };
  if (clientId) message.clientId = clientId;
  return message;
}

/** Messages stored as JSON by an earlier version, still readable after a deploy mid-conversation. */
function decodeLegacyMessage(json: string): StoredMessage {
  const raw = JSON.parse(json) as { id: number; a: number; x?: string; t?: string; ts: number; c?: string };
  const message: StoredMessage = { id: raw.id, author: raw.a, ciphertext: raw.x ?? "", timestamp: raw.ts };
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
    case "p": {
      const [seat, here, lastSeen] = fieldsOf(payload, 3);
      return { type: "presence", seat: Number(seat), here: here === "1", lastSeen: Number(lastSeen) || null };
    }
    case "g": {
      const [seat, until] = fieldsOf(payload, 2);
      return { type: "presence-grace", seat: Number(seat), until: Number(until) };
    }
    case "t": {
      const [seat, typing, expiresInMs, name] = fieldsOf(payload, 4);
      return { type: "typing", seat: Number(seat), typing: typing === "1", name: name ?? "", expiresInMs: Number(expiresInMs) };
    }
    case "r": {
      const [seat, delivered, seen] = fieldsOf(payload, 3);
      return { type: "receipts", seat: Number(seat), delivered: Number(delivered), seen: Number(seen) };
    }
    case "l":
      return { type: "left", seat: Number(payload.slice(1)) };
    case "a": {
      const [seat, after] = fieldsOf(payload, 2);
      return { type: "arrived", seat: Number(seat), after: Number(after) };
    }
    case "k": {
      const [seat, publicKeys] = fieldsOf(payload, 2);
      return { type: "keys", seat: Number(seat), publicKeys: publicKeys ?? "" };
    }
    default:
      throw new Error(`unknown room event tag ${JSON.stringify(payload[0])}`);
  }
}

/** The body's `:`-separated fields; the last one keeps any further colons (a name may hold them). */
function fieldsOf(payload: string, count: number): string[] {
  const parts = payload.slice(1).split(":");
  return [...parts.slice(0, count - 1), parts.slice(count - 1).join(":")];
}

/**
 * A room's keys share the `{roomId}` hash tag, so they would fall in one Redis Cluster slot. The
 * app does not run on a Cluster today: several scripts touch keys outside the room's slot or
 * keys they do not declare (decision 001), so it needs one Redis.
 */
export const roomKeys = (roomId: string) => ({
  meta: `room:{${roomId}}:meta`,
  members: `room:{${roomId}}:members`,
  messages: `room:{${roomId}}:msgs`,
  /** Presence: open streams per seat and instance, grace periods, last seen. */
  live: `room:{${roomId}}:live`,
  /** `<author>:<clientId>` → message id, for as long as the message is kept. */
  clientIds: `room:{${roomId}}:cids`,
  /** Sealed images by id; its `#bytes` field counts them against the room's budget. */
  images: `room:{${roomId}}:imgs`,
  /**
   * Left for a minute by a room ended on purpose (destroyed, a stranger chat ended), so a stream
   * that missed the `destroyed` event tells such a room from one the store lost.
   */
  ended: `room:{${roomId}}:ended`,
});

/**
 * Every key a room may have, meta first and its `ended` marker last, as the scripts that end a
 * room expect them. Whatever ends a room deletes exactly these, so a key added to `roomKeys` can
 * never outlive the room (the match store's end once forgot the images).
 */
export function allRoomKeys(roomId: string): string[] {
  const { meta, ended, ...rest } = roomKeys(roomId);
  return [meta, ...Object.values(rest), ended];
}

/** How many keys `allRoomKeys` gives: a script that takes them all declares this many. */
export const ROOM_KEY_COUNT = allRoomKeys("").length;

/** Written by each readiness check: Redis at maxmemory still answers PING, but refuses writes. */
export const READY_PROBE_KEY = "ephemera:ready";

/** Heartbeats of the app instances, so presence held by a crashed instance can be released. */
export const INSTANCES_KEY = "ephemera:instances";

/**
 * People in stranger chats whose page is open (or closed less than the grace period ago), for
 * "people online": sha1 of `<room meta key>#<seat>` → until when they count. Open streams hold a
 * lease their instance's heartbeat renews, so a crashed instance's people stop counting by themselves.
 */
export const STRANGERS_HERE_KEY = "match:here";
/** A seat's entry in STRANGERS_HERE_KEY, before hashing: the scripts hash it (sha1). */
export const strangerSeat = (roomId: string, seat: number) => `${roomKeys(roomId).meta}#${seat}`;

export const CHANNEL_PREFIX = "ephemera:room:";
export const roomChannel = (roomId: string) => `${CHANNEL_PREFIX}${roomId}`;
