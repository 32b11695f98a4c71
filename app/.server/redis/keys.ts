import { NOW_MS } from "./lua";

/**
 * Every Redis key and channel name that more than one part of the app touches: rooms, presence,
 * the stranger queue and stream slots. A key's layout lives here once, so whatever ends a room
 * ends all of it, and the Cluster work has one list to assign slots from.
 */

/**
 * A room's keys share the `{roomId}` hash tag, so they fall in one Redis Cluster slot and every
 * room script runs on the one primary that holds them (decision 025).
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

/** The stranger queue's name: on a Cluster, the hash tag all its keys share. Tests give each file its own. */
export const STRANGER_QUEUE = "strangers";

/**
 * The stranger queue's keys and channels. On a Redis Cluster they all carry the queue's hash tag
 * (`match:{strangers}:…`, visitor channels `ephemera:visitor:{strangers}:<visitor>`), so every
 * queue script runs in that one slot and publishes on its primary (decision 030); a standalone
 * Redis keeps the names it always had, so instances of the previous release share the queue
 * during a deploy. Per-visitor, block and stats keys are the `prefix` plus `v:<visitor>`,
 * `block:<sha1 of the pair>`, `stats:<hour>` and `ticket`.
 */
export function matchKeys(cluster: boolean, queue = STRANGER_QUEUE) {
  const prefix = cluster ? `match:{${queue}}:` : "match:";
  return {
    prefix,
    queue: `${prefix}queue`,
    /** Visitor → until when they stay queued without an open stream. */
    lease: `${prefix}lease`,
    /**
     * People in stranger chats whose page is open (or closed less than the grace period ago), for
     * "people online": sha1 of `<room meta key>#<seat>` → until when they count. Open streams hold a
     * lease their instance's heartbeat renews, so a crashed instance's people stop counting by themselves.
     */
    here: `${prefix}here`,
    visitor: (visitorId: string) => `${prefix}v:${visitorId}`,
    channelPrefix: cluster ? `ephemera:visitor:{${queue}}:` : "ephemera:visitor:",
  };
}
/** A seat's entry in the strangers-here set (`matchKeys().here`), before hashing: the scripts hash it (sha1). */
export const strangerSeat = (roomId: string, seat: number) => `${roomKeys(roomId).meta}#${seat}`;

export const CHANNEL_PREFIX = "ephemera:room:";
/**
 * A room's channel. On a Redis Cluster it is a shard channel with the room's hash tag, so the
 * script that writes the room publishes on its own primary (SPUBLISH); a standalone Redis keeps
 * the name it always had, so instances of the previous release still hear it during a deploy.
 */
export const roomChannel = (roomId: string, sharded = false) =>
  sharded ? `${CHANNEL_PREFIX}{${roomId}}` : `${CHANNEL_PREFIX}${roomId}`;

/** How long a room ended on purpose is remembered as such (see `roomKeys().ended`). */
export const ENDED_MEMORY_MS = 60_000;

/**
 * Lua that records, in `key`, that a room whose deadline is `exp` was ended on purpose: for a
 * minute, never past the deadline. Runs after the room's keys are deleted, so even at maxmemory
 * Redis lets it write (a script that has written may finish).
 */
export const markEnded = (key: string, exp: string) => `do
  ${NOW_MS}
  redis.call('SET', ${key}, 'd', 'PXAT', string.format('%d', math.min(tonumber(${exp}), now + ${ENDED_MEMORY_MS})))
end`;

/**
 * KEYS: every key of the room (`allRoomKeys`), meta first, its `ended` marker last. ARGV: channel. Deletes the
 * room, marks it ended on purpose, publishes `destroyed`.
 */
export const destroyRoomScript = `
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return 0 end
local exp = redis.call('HGET', KEYS[1], 'exp')
redis.call('DEL', unpack(KEYS))
${markEnded("KEYS[#KEYS]", "exp")}
redis.call('PUBLISH', ARGV[1], 'd' .. string.format('%d', tonumber(seq) + 1))
return 1`;

/**
 * An account's keys, named by its tag (an HMAC of the account id under the server secret, never
 * the id itself) and hash-tagged with it, so each account's keys fall in one Cluster slot.
 */
export const accountKeys = (tag: string) => ({
  /** chatId → `lastActivityAt|expiresAt|unread|partnerId`, expiring with its latest entry. */
  chats: `acct:{${tag}}:chats`,
  /** Presence: a lease per instance holding its streams, `on` while here, grace end, last seen. */
  live: `acct:{${tag}}:live`,
});

/** An account's channel: a shard channel on a Redis Cluster, in the account's slot. */
export const accountChannel = (tag: string) => `ephemera:acct:{${tag}}`;

/**
 * Accounts whose presence may change by itself (a grace period ending, a lease lapsing) → when to
 * look again. Every instance's heartbeat settles those due, so an instance that dies mid-grace or
 * with streams open leaves nobody shown as here.
 */
export const ACCOUNTS_DUE_KEY = "ephemera:acct:due";
