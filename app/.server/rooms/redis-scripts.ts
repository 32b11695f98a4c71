/**
 * Lua scripts: each room operation is one atomic round trip. Deadlines come from Redis' own clock
 * (TIME) so instances with skewed clocks still agree, and every key a script creates or writes
 * gets the room's deadline (PEXPIREAT), never a later one.
 */

const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: meta. ARGV: ttlMs. Returns the deadline (ms since epoch), or -1 when the id is taken. */
export const createRoomScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
${NOW_MS}
local exp = string.format('%d', now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'exp', exp, 'seq', 0, 'joins', 0)
redis.call('PEXPIREAT', KEYS[1], exp)
return tonumber(exp)`;

/**
 * KEYS: meta, members. ARGV: memberId, capacity, channel.
 * Returns {0} gone, {1, 0, pttl} full, {2, seat, pttl} already a member, {3, seat, pttl} joined;
 * a join is published as `j<member count>`.
 */
export const joinScript = `
local exp = redis.call('HGET', KEYS[1], 'exp')
if not exp then return {0} end
local pttl = redis.call('PTTL', KEYS[1])
local seat = redis.call('HGET', KEYS[2], ARGV[1])
if seat then return {2, tonumber(seat), pttl} end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[2]) then return {1, 0, pttl} end
local ord = redis.call('HINCRBY', KEYS[1], 'joins', 1)
redis.call('HSET', KEYS[2], ARGV[1], ord)
redis.call('PEXPIREAT', KEYS[2], exp)
redis.call('PUBLISH', ARGV[3], 'j' .. redis.call('HLEN', KEYS[2]))
return {3, ord, pttl}`;

/** KEYS: meta, members. ARGV: memberId. Returns {0} gone, {1, 0, pttl} not a member, {2, seat, pttl}. */
export const memberScript = `
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then return {0} end
local seat = redis.call('HGET', KEYS[2], ARGV[1])
if seat then return {2, tonumber(seat), pttl} end
return {1, 0, pttl}`;

/**
 * Stores a message under the next event id, trims the list to the cap, keeps the list's deadline,
 * publishes it. Needs locals `exp` (deadline) and `author`; ARGV: channel, (author or member id),
 * sender, text, cap, clientId ('' for none). Leaves the message JSON in `msg`.
 */
const STORE_AND_PUBLISH = `local id = redis.call('HINCRBY', KEYS[1], 'seq', 1)
${NOW_MS}
local fields = {id = id, a = author, s = ARGV[3], t = ARGV[4], ts = now}
if ARGV[6] ~= '' then fields.c = ARGV[6] end
local msg = cjson.encode(fields)
redis.call('RPUSH', KEYS[2], msg)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
redis.call('PEXPIREAT', KEYS[2], exp)
redis.call('PUBLISH', ARGV[1], 'm' .. msg)`;

/** KEYS: meta, msgs. ARGV: channel, author, sender, text, cap, clientId. Returns the JSON or nil. */
export const appendMessageScript = `
local exp = redis.call('HGET', KEYS[1], 'exp')
if not exp then return false end
local author = tonumber(ARGV[2])
${STORE_AND_PUBLISH}
return msg`;

/**
 * KEYS: meta, msgs, members. ARGV: channel, memberId, sender, text, cap, clientId.
 * A member's send in one round trip: {0} gone, {1} not a member, else {2, message JSON}.
 */
export const appendMemberMessageScript = `
local exp = redis.call('HGET', KEYS[1], 'exp')
if not exp then return {0} end
local seat = redis.call('HGET', KEYS[3], ARGV[2])
if not seat then return {1} end
local author = tonumber(seat)
${STORE_AND_PUBLISH}
return {2, msg}`;

/**
 * KEYS: meta, msgs. ARGV: afterId. Returns the newest (seq - afterId) stored messages, or nil
 * when the room is gone. Reading only the tail keeps a resume cheap in a long conversation.
 */
export const messagesAfterScript = `
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return false end
local missing = tonumber(seq) - tonumber(ARGV[1])
if missing <= 0 then return {} end
return redis.call('LRANGE', KEYS[2], -missing, -1)`;

/** KEYS: meta, members, msgs. ARGV: channel. Deletes the room, publishes `destroyed`. */
export const destroyScript = `
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('PUBLISH', ARGV[1], 'd' .. string.format('%d', tonumber(seq) + 1))
return 1`;
