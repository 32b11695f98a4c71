import { NOW_MS } from "../redis/lua";
import { CHAT_BUCKETS, FORGET_AFTER_MS, STATS_RETENTION_MS, WAIT_BUCKETS } from "./match-stats";

/**
 * The stranger queue's scripts. Every key is `matchKeys().prefix` (ARGV[2]) plus: `queue`
 * (visitor → ticket number, oldest first), `lease` (visitor → until when they stay queued without
 * an open stream), `v:<visitor>` (state, since, room, partner, seat, exp, pending, matchedAt, last,
 * lastUntil: the last partner is not met again before then, closing: a room this visitor ended
 * that may not be destroyed yet; gone 10 minutes after a chat ends, or with the room),
 * `block:<sha1 of the pair>`, `here` (people in stranger chats with the page open, kept by
 * presence), `stats:<hour>`, `ticket`. On a Cluster they all share one hash tag, so each queue
 * script runs in one slot; other visitors' records are reached by name in that slot. No queue
 * script touches a room: pairing, creating the room and ending it are separate steps, each
 * repeatable, that the store runs in turn (decision 030). Every key has a deadline.
 */

/** A waiting visitor's record outlives their lease by far; the lease is what drops them. */
const WAITING_TTL_MS = 3_600_000;

/** Lua bucket index (0-based) of `seconds` in `bounds`. */
const bucketFunction = (name: string, bounds: readonly number[]) => `local function ${name}(seconds)
  local bounds = {${bounds.filter(Number.isFinite).join(", ")}}
  for i, bound in ipairs(bounds) do if seconds <= bound then return i - 1 end end
  return ${bounds.length - 1}
end`;

/** ARGV[1]: the visitors' channel prefix, ARGV[2]: the key prefix. */
const COMMON = `${NOW_MS}
local P = ARGV[2]
local statsKey = P .. 'stats:' .. math.floor(now / 3600000)
local function count(field)
  redis.call('HINCRBY', statsKey, field, 1)
  redis.call('PEXPIRE', statsKey, ${STATS_RETENTION_MS + 3_600_000})
end
${bucketFunction("waitBucket", WAIT_BUCKETS)}
${bucketFunction("chatBucket", CHAT_BUCKETS)}
local function tell(id, state)
  redis.call('PUBLISH', ARGV[1] .. id, cjson.encode(state))
end
local function blocked(a, b)
  local pair = a < b and (a .. ':' .. b) or (b .. ':' .. a)
  return redis.call('EXISTS', P .. 'block:' .. redis.sha1hex(pair)) == 1
end
-- Whether b was a's partner in a chat that ended less than the cooldown ago.
local function cooling(a, b)
  local key = P .. 'v:' .. a
  return redis.call('HGET', key, 'last') == b and tonumber(redis.call('HGET', key, 'lastUntil') or 0) > now
end
local function mayMeet(a, b)
  return not cooling(a, b) and not cooling(b, a) and not blocked(a, b)
end
-- {'waiting', since, lastPartnerUntil or ''}: the reason they are not paired, while it is one
-- (the person they just talked to is waiting too).
local function waitingReply(id)
  local key = P .. 'v:' .. id
  local last = redis.call('HGET', key, 'last')
  local reason = ''
  if last and redis.call('ZSCORE', KEYS[1], last) and cooling(id, last) and not blocked(id, last) then
    reason = redis.call('HGET', key, 'lastUntil')
  end
  return {'waiting', redis.call('HGET', key, 'since'), reason}
end
local function waitingState(id)
  local reply = waitingReply(id)
  return {status = 'waiting', since = tonumber(reply[2]), lastPartnerUntil = tonumber(reply[3])}
end
-- A waiting visitor's reason may have changed with someone else's move: tell them.
local function retell(id)
  if id and redis.call('ZSCORE', KEYS[1], id) then tell(id, waitingState(id)) end
end
local function dropLapsed()
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
    redis.call('HDEL', P .. 'v:' .. id, 'state', 'since')
    retell(redis.call('HGET', P .. 'v:' .. id, 'last'))
  end
end
-- Whom a pairing holds: {seat 1's visitor, seat 2's}.
local function seats(key, id)
  local partner = redis.call('HGET', key, 'partner')
  if redis.call('HGET', key, 'seat') == '1' then return id, partner end
  return partner, id
end
-- {'matched', room} | {'pending', room, exp, seat 1's visitor, seat 2's}: paired, but the room may
-- not exist yet (the step that creates it may not have run) | waitingReply | {'idle'}. Whether a
-- matched visitor's room still exists is the caller's to ask: it is in another slot.
local function stateOf(id)
  local key = P .. 'v:' .. id
  local state = redis.call('HGET', key, 'state')
  if state == 'matched' then
    local room = redis.call('HGET', key, 'room')
    if redis.call('HGET', key, 'pending') then
      local one, two = seats(key, id)
      return {'pending', room, redis.call('HGET', key, 'exp'), one, two}
    end
    return {'matched', room}
  end
  if state == 'waiting' then return waitingReply(id) end
  return {'idle'}
end
-- Every reply about the caller starts with the room they ended that may still stand ('' for none).
local function reply(state)
  table.insert(state, 1, redis.call('HGET', KEYS[4], 'closing') or '')
  return state
end`;

/**
 * Step 1 of a match. KEYS: queue, lease, here, me. ARGV: channel prefix, key prefix, visitor, new
 * room id, room ttl ms, grace ms. Returns reply(stateOf): a new pairing is 'pending' until the store
 * has created its room and run readyScript, which tells the two. Someone already waiting keeps
 * their place and looks again: a partner may have become possible (a cooldown ended).
 */
export const findScript = `
${COMMON}
dropLapsed()
local me, vid = KEYS[4], ARGV[3]
local current = stateOf(vid)
if current[1] ~= 'waiting' and current[1] ~= 'idle' then return reply(current) end
local waiting = current[1] == 'waiting'
if waiting then redis.call('ZADD', KEYS[2], 'GT', now + tonumber(ARGV[6]), vid) end
for _, cid in ipairs(redis.call('ZRANGE', KEYS[1], 0, 199)) do
  local other = P .. 'v:' .. cid
  if cid ~= vid and mayMeet(vid, cid) then
    local waited = now - tonumber(redis.call('HGET', other, 'since') or now)
    local myWait = waiting and now - tonumber(redis.call('HGET', me, 'since') or now) or 0
    local previousPartners = {redis.call('HGET', other, 'last'), redis.call('HGET', me, 'last')}
    redis.call('ZREM', KEYS[1], cid, vid)
    redis.call('ZREM', KEYS[2], cid, vid)
    local roomId = ARGV[4]
    local exp = string.format('%d', now + tonumber(ARGV[5]))
    -- The room's id and deadline are chosen here, so whoever finishes the match creates the same room.
    for _, pairing in ipairs({{other, cid, vid, 1}, {me, vid, cid, 2}}) do
      redis.call('HDEL', pairing[1], 'since', 'lastUntil')
      redis.call('HSET', pairing[1], 'state', 'matched', 'room', roomId, 'partner', pairing[3], 'seat', pairing[4],
        'exp', exp, 'pending', 1, 'matchedAt', now, 'last', pairing[3])
      redis.call('PEXPIREAT', pairing[1], exp)
    end
    -- Whoever was waiting on either of them (their last partners) is told how things stand now.
    for i = 1, 2 do retell(previousPartners[i]) end
    count('m')
    count('w' .. waitBucket(waited / 1000))
    count('w' .. waitBucket(myWait / 1000))
    return reply(stateOf(vid))
  end
end
if waiting then return reply(current) end
-- Past the cooldown nothing about the last partner is kept.
if tonumber(redis.call('HGET', me, 'lastUntil') or 0) <= now then redis.call('HDEL', me, 'last', 'lastUntil') end
-- A ticket number, not the time, orders the queue: two arrivals in one millisecond keep their order.
redis.call('ZADD', KEYS[1], redis.call('INCR', P .. 'ticket'), vid)
redis.call('PEXPIRE', P .. 'ticket', 86400000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), vid)
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('PEXPIRE', KEYS[2], 86400000)
redis.call('HSET', me, 'state', 'waiting', 'since', now)
redis.call('PEXPIRE', me, ${WAITING_TTL_MS})
tell(vid, waitingState(vid))
retell(redis.call('HGET', me, 'last'))
return reply(waitingReply(vid))`;

/**
 * Step 2 of a match, in the room's slot. KEYS: meta, members, ended. ARGV: deadline (ms since the
 * epoch), seat 1's visitor, seat 2's. Creates the room with both seats claimed for the two; a room
 * that exists already is left as it is (the step ran before), and one ended on purpose or past its
 * deadline is not made again. Returns 1 when the room stands, 0 when the chat is over.
 * The seats are held for the two in the members hash until they arrive, and remembered in meta
 * so each can claim theirs again if their first visit's cookie never reached them.
 */
export const createRoomScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
${NOW_MS}
local exp = ARGV[1]
if tonumber(exp) <= now then return 0 end
local one, two = 'v:' .. ARGV[2], 'v:' .. ARGV[3]
redis.call('HSET', KEYS[1], 'exp', exp, 'seq', 0, 'joins', 2, 'kind', 'match', one, 1, two, 2)
redis.call('PEXPIREAT', KEYS[1], exp)
redis.call('HSET', KEYS[2], one, 1, two, 2)
redis.call('PEXPIREAT', KEYS[2], exp)
return 1`;

/**
 * Step 3 of a match, once its room stands. KEYS: queue, lease, here, me. ARGV: channel prefix,
 * key prefix, visitor, room id. Whichever of the two still holds this pairing is told of it (only
 * now: told sooner, they could open a room not made yet). Returns reply(stateOf).
 */
export const readyScript = `
${COMMON}
local vid, roomId = ARGV[3], ARGV[4]
local partner = redis.call('HGET', KEYS[4], 'partner')
for _, id in ipairs({vid, partner or vid}) do
  local key = P .. 'v:' .. id
  if redis.call('HGET', key, 'room') == roomId and redis.call('HDEL', key, 'pending') == 1 then
    tell(id, {status = 'matched', roomId = roomId})
  end
end
return reply(stateOf(vid))`;

/**
 * KEYS: queue, lease, here, me. ARGV: channel prefix, key prefix, visitor, room id. The visitor's
 * chat in that room found without its room (destroyed, expired, or never made in time): the chat
 * is over, its cooldown starts. Returns reply(stateOf).
 */
export const roomGoneScript = `
${COMMON}
local key = KEYS[4]
if redis.call('HGET', key, 'state') == 'matched' and redis.call('HGET', key, 'room') == ARGV[4] then
  redis.call('HDEL', key, 'state', 'room', 'partner', 'seat', 'exp', 'pending', 'matchedAt')
  redis.call('HSET', key, 'lastUntil', now + ${FORGET_AFTER_MS})
  redis.call('PEXPIRE', key, ${FORGET_AFTER_MS})
end
return reply(stateOf(ARGV[3]))`;

/** KEYS: queue, lease, here, me. ARGV: channel prefix, key prefix, visitor. */
export const cancelScript = `
${COMMON}
if redis.call('ZREM', KEYS[1], ARGV[3]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[4], 'state', 'since')
tell(ARGV[3], {status = 'idle'})
retell(redis.call('HGET', KEYS[4], 'last'))
return 1`;

/** KEYS: queue, lease, here, me. ARGV: channel prefix, key prefix, visitor. Returns reply(stateOf). */
export const stateScript = `
${COMMON}
dropLapsed()
return reply(stateOf(ARGV[3]))`;

/** Lua: removes the room's two seats from the strangers-here set (KEYS[3]). */
const NOBODY_HERE = (roomId: string) =>
  `redis.call('ZREM', KEYS[3], redis.sha1hex('room:{' .. ${roomId} .. '}:meta#1'), redis.sha1hex('room:{' .. ${roomId} .. '}:meta#2'))`;

/**
 * Ending a chat, step 1. KEYS: queue, lease, here, me. ARGV: channel prefix, key prefix, visitor,
 * room id, block ('1'/'0'). Ends the visitor's chat in that room for both, which starts the two's
 * cooldown and takes them off "online", and notes the room in both records' `closing` until the
 * store has destroyed it (the room's destroy script, then closedScript): until then any reply about
 * them names it, so whoever asks next finishes the job. Returns 0 when they were in no such chat.
 */
export const endScript = `
${COMMON}
local me, vid, roomId = KEYS[4], ARGV[3], ARGV[4]
if redis.call('HGET', me, 'state') ~= 'matched' or redis.call('HGET', me, 'room') ~= roomId then return 0 end
local pid = redis.call('HGET', me, 'partner')
local other = P .. 'v:' .. pid
if ARGV[5] == '1' then
  local pair = vid < pid and (vid .. ':' .. pid) or (pid .. ':' .. vid)
  local key = P .. 'block:' .. redis.sha1hex(pair)
  redis.call('SET', key, 1)
  redis.call('PEXPIREAT', key, (math.floor(now / 86400000) + 1) * 86400000)
end
local FIELDS = {'state', 'room', 'partner', 'seat', 'exp', 'pending', 'matchedAt'}
if redis.call('HGET', other, 'room') == roomId then
  -- The first of the two to end it records how long it lasted.
  count('c' .. chatBucket((now - tonumber(redis.call('HGET', me, 'matchedAt'))) / 1000))
  redis.call('HDEL', other, unpack(FIELDS))
  redis.call('HSET', other, 'lastUntil', now + ${FORGET_AFTER_MS})
  redis.call('PEXPIRE', other, ${FORGET_AFTER_MS})
  tell(pid, {status = 'idle'})
end
-- All that is left is who they just talked to, and only for the cooldown.
redis.call('HDEL', me, unpack(FIELDS))
redis.call('HSET', me, 'lastUntil', now + ${FORGET_AFTER_MS}, 'closing', roomId)
redis.call('PEXPIRE', me, ${FORGET_AFTER_MS})
-- The partner's next look finishes it too, should the caller never look again.
if redis.call('EXISTS', other) == 1 and redis.call('HGET', other, 'last') == vid then
  redis.call('HSET', other, 'closing', roomId)
end
${NOBODY_HERE("roomId")}
tell(vid, {status = 'idle'})
return 1`;

/**
 * Ending a chat, step 3, once its room is destroyed. KEYS: queue, lease, here, me. ARGV: channel
 * prefix, key prefix, visitor, room id. Forgets `closing` (the caller's and the partner's) and takes the seats off "online" again
 * (a presence step between the two steps may have put them back).
 */
export const closedScript = `
${COMMON}
for _, key in ipairs({KEYS[4], P .. 'v:' .. (redis.call('HGET', KEYS[4], 'last') or ARGV[3])}) do
  if redis.call('HGET', key, 'closing') == ARGV[4] then redis.call('HDEL', key, 'closing') end
end
${NOBODY_HERE("ARGV[4]")}
return 1`;

/** KEYS: queue, lease, here. ARGV: channel prefix, key prefix. Returns {waiting, chatting with the page open}. */
export const countsScript = `
${COMMON}
dropLapsed()
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[3])}`;

/** KEYS: queue (naming the queue's slot). ARGV: channel prefix, key prefix. Returns the current hour's stats hash. */
export const hourStatsScript = `
${COMMON}
return redis.call('HGETALL', statsKey)`;

/**
 * KEYS: lease. ARGV: how long (ms), key prefix, visitors... Sets each queued visitor's lease to
 * now + ms (only visitors still in the queue: XX), by Redis' clock like every other deadline here.
 * Returns those of them with a step left unfinished for over a second (a pairing whose room is not
 * known to stand, a room they ended not known destroyed): a process died between two steps, and
 * the caller, whose streams hold these visitors, finishes it.
 */
export const leaseScript = `
${NOW_MS}
local untilMs = now + tonumber(ARGV[1])
local unfinished = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  if redis.call('ZADD', KEYS[1], 'XX', 'CH', untilMs, id) == 0 and not redis.call('ZSCORE', KEYS[1], id) then
    local key = ARGV[2] .. 'v:' .. id
    local pending = redis.call('HGET', key, 'pending') and tonumber(redis.call('HGET', key, 'matchedAt') or now) < now - 1000
    if pending or redis.call('HEXISTS', key, 'closing') == 1 then table.insert(unfinished, id) end
  end
end
return unfinished`;
