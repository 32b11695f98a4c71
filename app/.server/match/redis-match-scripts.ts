import { markEnded } from "../redis/keys";
import { NOW_MS } from "../redis/lua";
import { CHAT_BUCKETS, FORGET_AFTER_MS, STATS_RETENTION_MS, WAIT_BUCKETS } from "./match-stats";

/**
 * The stranger queue's scripts. Keys: `match:queue` (visitor → ticket number, oldest first), `match:lease` (visitor → until when they stay queued without an open stream),
 * `match:v:<visitor>` (state, since, room, partner, matchedAt, last, lastUntil: the last partner
 * is not met again before then; gone 10 minutes after a chat ends, or with the room),
 * `match:block:<sha1 of the pair>`, `match:here` (STRANGERS_HERE_KEY: people in stranger chats
 * with the page open, kept by the presence script), `match:stats:<hour>`.
 * Per-visitor keys are reached from inside the scripts, and pairing creates the room's keys, so
 * the queue needs one Redis, not a Cluster (decision 025). Every key has a deadline.
 */

/** A waiting visitor's record outlives their lease by far; the lease is what drops them. */
const WAITING_TTL_MS = 3_600_000;

/** Lua bucket index (0-based) of `seconds` in `bounds`. */
const bucketFunction = (name: string, bounds: readonly number[]) => `local function ${name}(seconds)
  local bounds = {${bounds.filter(Number.isFinite).join(", ")}}
  for i, bound in ipairs(bounds) do if seconds <= bound then return i - 1 end end
  return ${bounds.length - 1}
end`;

const COMMON = `${NOW_MS}
local statsKey = 'match:stats:' .. math.floor(now / 3600000)
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
  return redis.call('EXISTS', 'match:block:' .. redis.sha1hex(pair)) == 1
end
-- Whether b was a's partner in a chat that ended less than the cooldown ago.
local function cooling(a, b)
  local key = 'match:v:' .. a
  return redis.call('HGET', key, 'last') == b and tonumber(redis.call('HGET', key, 'lastUntil') or 0) > now
end
local function mayMeet(a, b)
  return not cooling(a, b) and not cooling(b, a) and not blocked(a, b)
end
-- {'waiting', since, lastPartnerUntil or ''}: the reason they are not paired, while it is one
-- (the person they just talked to is waiting too).
local function waitingReply(id)
  local key = 'match:v:' .. id
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
    redis.call('HDEL', 'match:v:' .. id, 'state', 'since')
    retell(redis.call('HGET', 'match:v:' .. id, 'last'))
  end
end
local function stateOf(id)
  local key = 'match:v:' .. id
  local state = redis.call('HGET', key, 'state')
  if state == 'matched' then
    local room = redis.call('HGET', key, 'room')
    if redis.call('EXISTS', 'room:{' .. room .. '}:meta') == 1 then return {'matched', room} end
    -- The room ended without End chat (destroyed, expired): the chat is over, its cooldown starts.
    redis.call('HDEL', key, 'state', 'room', 'partner')
    redis.call('HSET', key, 'lastUntil', now + ${FORGET_AFTER_MS})
    redis.call('PEXPIRE', key, ${FORGET_AFTER_MS})
    return {'idle'}
  end
  if state == 'waiting' then return waitingReply(id) end
  return {'idle'}
end`;

/**
 * KEYS: queue, lease, here, me, new room meta, new room members. ARGV: channel prefix, visitor,
 * new room id, room ttl ms, grace ms, room capacity... Returns {'matched', roomId} |
 * {'waiting', since, lastPartnerUntil or ''}. Someone already waiting keeps their place and looks
 * again: a partner may have become possible (a cooldown ended).
 */
export const findScript = `
${COMMON}
dropLapsed()
local me, vid = KEYS[4], ARGV[2]
local current = stateOf(vid)
if current[1] == 'matched' then return current end
local waiting = current[1] == 'waiting'
if waiting then redis.call('ZADD', KEYS[2], 'GT', now + tonumber(ARGV[5]), vid) end
for _, cid in ipairs(redis.call('ZRANGE', KEYS[1], 0, 199)) do
  local other = 'match:v:' .. cid
  if cid ~= vid and mayMeet(vid, cid) then
    local waited = now - tonumber(redis.call('HGET', other, 'since') or now)
    local myWait = waiting and now - tonumber(redis.call('HGET', me, 'since') or now) or 0
    local previousPartners = {redis.call('HGET', other, 'last'), redis.call('HGET', me, 'last')}
    redis.call('ZREM', KEYS[1], cid, vid)
    redis.call('ZREM', KEYS[2], cid, vid)
    local roomId = ARGV[3]
    local exp = string.format('%d', now + tonumber(ARGV[4]))
    -- The seats are held for the two in the members hash until they arrive, and remembered in
    -- meta so each can claim theirs again if their first visit's cookie never reached them.
    redis.call('HSET', KEYS[5], 'exp', exp, 'seq', 0, 'joins', 2, 'kind', 'match', 'v:' .. cid, 1, 'v:' .. vid, 2)
    redis.call('PEXPIREAT', KEYS[5], exp)
    redis.call('HSET', KEYS[6], 'v:' .. cid, 1, 'v:' .. vid, 2)
    redis.call('PEXPIREAT', KEYS[6], exp)
    for _, pairing in ipairs({{other, cid, vid}, {me, vid, cid}}) do
      redis.call('HDEL', pairing[1], 'since', 'lastUntil')
      redis.call('HSET', pairing[1], 'state', 'matched', 'room', roomId, 'partner', pairing[3], 'matchedAt', now, 'last', pairing[3])
      redis.call('PEXPIREAT', pairing[1], exp)
      tell(pairing[2], {status = 'matched', roomId = roomId})
    end
    -- Whoever was waiting on either of them (their last partners) is told how things stand now.
    for i = 1, 2 do retell(previousPartners[i]) end
    count('m')
    count('w' .. waitBucket(waited / 1000))
    count('w' .. waitBucket(myWait / 1000))
    return {'matched', roomId}
  end
end
if waiting then return current end
-- Past the cooldown nothing about the last partner is kept.
if tonumber(redis.call('HGET', me, 'lastUntil') or 0) <= now then redis.call('HDEL', me, 'last', 'lastUntil') end
-- A ticket number, not the time, orders the queue: two arrivals in one millisecond keep their order.
redis.call('ZADD', KEYS[1], redis.call('INCR', 'match:ticket'), vid)
redis.call('PEXPIRE', 'match:ticket', 86400000)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), vid)
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('PEXPIRE', KEYS[2], 86400000)
redis.call('HSET', me, 'state', 'waiting', 'since', now)
redis.call('PEXPIRE', me, ${WAITING_TTL_MS})
tell(vid, waitingState(vid))
retell(redis.call('HGET', me, 'last'))
return waitingReply(vid)`;

/** KEYS: queue, lease, here, me. ARGV: channel prefix, visitor. */
export const cancelScript = `
${COMMON}
if redis.call('ZREM', KEYS[1], ARGV[2]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[4], 'state', 'since')
tell(ARGV[2], {status = 'idle'})
retell(redis.call('HGET', KEYS[4], 'last'))
return 1`;

/** KEYS: queue, lease, here, me. ARGV: channel prefix, visitor. */
export const stateScript = `
${COMMON}
dropLapsed()
return stateOf(ARGV[2])`;

/**
 * KEYS: queue, lease, here, me. ARGV: channel prefix, visitor, room id, block ('1'/'0'), the
 * room's channel, then every key of the room (`allRoomKeys`: meta first, its `ended` marker last). Ends the
 * visitor's chat in that room for both and destroys the room in the same step (the partner's
 * stream hears `destroyed`), which starts the two's cooldown and takes them off "online"; returns
 * 0 when they were in no such chat.
 */
export const endScript = `
${COMMON}
local me, vid, roomId = KEYS[4], ARGV[2], ARGV[3]
if redis.call('HGET', me, 'state') ~= 'matched' or redis.call('HGET', me, 'room') ~= roomId then return 0 end
local pid = redis.call('HGET', me, 'partner')
local other = 'match:v:' .. pid
if ARGV[4] == '1' then
  local pair = vid < pid and (vid .. ':' .. pid) or (pid .. ':' .. vid)
  local key = 'match:block:' .. redis.sha1hex(pair)
  redis.call('SET', key, 1)
  redis.call('PEXPIREAT', key, (math.floor(now / 86400000) + 1) * 86400000)
end
if redis.call('HGET', other, 'room') == roomId then
  -- The first of the two to end it records how long it lasted.
  count('c' .. chatBucket((now - tonumber(redis.call('HGET', me, 'matchedAt'))) / 1000))
  redis.call('HDEL', other, 'state', 'room', 'partner', 'matchedAt')
  redis.call('HSET', other, 'lastUntil', now + ${FORGET_AFTER_MS})
  redis.call('PEXPIRE', other, ${FORGET_AFTER_MS})
  tell(pid, {status = 'idle'})
end
-- All that is left is who they just talked to, and only for the cooldown.
redis.call('HDEL', me, 'state', 'room', 'partner', 'matchedAt')
redis.call('HSET', me, 'lastUntil', now + ${FORGET_AFTER_MS})
redis.call('PEXPIRE', me, ${FORGET_AFTER_MS})
redis.call('ZREM', KEYS[3], redis.sha1hex(ARGV[6] .. '#1'), redis.sha1hex(ARGV[6] .. '#2'))
local seq = redis.call('HGET', ARGV[6], 'seq')
if seq then
  local exp = redis.call('HGET', ARGV[6], 'exp')
  redis.call('DEL', unpack(ARGV, 6))
  ${markEnded("ARGV[#ARGV]", "exp")}
  redis.call('PUBLISH', ARGV[5], 'd' .. string.format('%d', tonumber(seq) + 1))
end
tell(vid, {status = 'idle'})
return 1`;

/** KEYS: queue, lease, here. ARGV: channel prefix. Returns {waiting, chatting with the page open}. */
export const countsScript = `
${COMMON}
dropLapsed()
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[3])}`;

/** KEYS: none. Returns the current hour's stats hash. */
export const hourStatsScript = `
${NOW_MS}
return redis.call('HGETALL', 'match:stats:' .. math.floor(now / 3600000))`;

/**
 * KEYS: lease. ARGV: how long (ms), visitors... Sets each queued visitor's lease to now + ms
 * (only visitors still in the queue: XX), by Redis' clock like every other deadline here.
 */
export const leaseScript = `
${NOW_MS}
local untilMs = now + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', untilMs, ARGV[i]) end
return 1`;
