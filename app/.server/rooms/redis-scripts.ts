import { destroyRoomScript } from "../redis/keys";
import { NOW_MS } from "../redis/lua";

/**
 * Lua scripts: each room operation is one atomic round trip. Deadlines come from Redis' own clock
 * (TIME) so instances with skewed clocks still agree, and every key a script creates or writes
 * gets the room's deadline (PEXPIREAT), never a later one.
 *
 * A direct chat (kind `direct`; its meta's `tmr`, the timer, marks it) has no fixed deadline: each
 * message expires on its own, and the chat's `exp` is the latest expiry, which its every write
 * moves to all its keys. Scripts that may write one take the keys in the order of `chatKeys`
 * (redis-store.ts): meta, msgs, cids, members, images, then the rest but `ended`.
 */

/**
 * How far a room's ids jump when its send finds it last wrote under another primary: past every
 * id the lost primary could have handed out that its replica never got. Sends are rate-limited
 * per member, so a room takes nowhere near a million in the seconds of an unreplicated window.
 */
export const ID_JUMP = 1_000_000;

/**
 * Lua defining `nextId(channel)`: takes the room's next event id (KEYS[1] its meta). The primary
 * this runs on is named by its `master_replid`, which a promoted replica changes; the meta keeps
 * the one of its last send (`ep`). Redis replicates asynchronously, so after a failover the
 * counter (`seq`) may be behind ids the old primary acknowledged: on a change, the ids jump by
 * ID_JUMP, the span recorded (`gp`, last id kept : first id after) and published (`x`), so no id
 * is handed out twice and whoever holds one in the span learns it is gone (decision 031). Read
 * inside the script, not passed in: a command resent after a reconnect cannot carry a stale one.
 */
const NEXT_ID = `local function nextId(channel)
  local info = redis.pcall('INFO', 'replication')
  local epoch = type(info) == 'string' and string.match(info, 'master_replid:(%w+)') or nil
  local room = redis.call('HMGET', KEYS[1], 'seq', 'ep')
  local seq = tonumber(room[1])
  if epoch and room[2] ~= epoch then
    if room[2] then
      local span = string.format('%d:%d', seq, seq + ${ID_JUMP} + 1)
      redis.call('HSET', KEYS[1], 'gp', span)
      redis.call('PUBLISH', channel, 'x' .. span)
      seq = seq + ${ID_JUMP}
    end
    redis.call('HSET', KEYS[1], 'ep', epoch)
  end
  seq = seq + 1
  redis.call('HSET', KEYS[1], 'seq', string.format('%d', seq))
  return seq
end`;

/**
 * Lua defining `indexOf(id, pattern)`: the list index (KEYS[2], from its head) of the record with
 * that id, or of the first one after it; `pattern` captures a record's id. Ids are contiguous
 * (message k at k - seq - 1 from the end) until a failover's jump (`gp` in KEYS[1]); from then
 * on the list is searched, ~10 LINDEX for a full one.
 */
const INDEX_OF = `local function indexOf(id, pattern)
  local room = redis.call('HMGET', KEYS[1], 'seq', 'gp')
  local length = redis.call('LLEN', KEYS[2])
  if not room[2] then return math.max(0, length + id - tonumber(room[1]) - 1) end
  local low, high = 0, length - 1
  while low <= high do
    local middle = math.floor((low + high) / 2)
    local record = redis.call('LINDEX', KEYS[2], middle)
    local at = tonumber(string.match(record, pattern) or cjson.decode(record).id)
    if at == id then return middle end
    if at < id then low = middle + 1 else high = middle - 1 end
  end
  return low
end`;

/**
 * KEYS: meta. ARGV: ttlMs, key check ('' for none). Returns the deadline (ms since epoch), or -1
 * when the id is taken.
 */
export const createRoomScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
${NOW_MS}
local exp = string.format('%d', now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'exp', exp, 'seq', 0, 'joins', 0)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'kc', ARGV[2]) end
redis.call('PEXPIREAT', KEYS[1], exp)
return tonumber(exp)`;

/**
 * KEYS: meta, members. ARGV: memberId, capacity, channel, claim ('' for none).
 * Returns {0} gone (or a direct chat), {1, 0, pttl} full, {2, seat, pttl, kind, key check} already a member, {3,
 * seat, pttl, kind, key check} joined; a new member is published as `j<member count>`. A seat
 * held for `claim` (listed in meta) is handed to the member, however often they claim it (the
 * count does not change, so nothing is published). Once a member has left (`freed`), a new seat
 * starts at the last message (`a<seat>`, published as `a<seat>:<id>`).
 */
export const joinScript = `
local exp = redis.call('HGET', KEYS[1], 'exp')
if not exp then return {0} end
local pttl = redis.call('PTTL', KEYS[1])
local kind = redis.call('HGET', KEYS[1], 'kind') or 'private'
-- A direct chat's two seats are given when it opens, to its two accounts only.
if kind == 'direct' then return {0} end
local check = redis.call('HGET', KEYS[1], 'kc') or ''
local seat = redis.call('HGET', KEYS[2], ARGV[1])
if seat then return {2, tonumber(seat), pttl, kind, check} end
if ARGV[4] ~= '' then
  local held = redis.call('HGET', KEYS[1], ARGV[4])
  if held then
    -- Whoever holds that seat now (the placeholder, or a token whose cookie never reached the
    -- browser) gives it up: the seat belongs to the claimant.
    local members = redis.call('HGETALL', KEYS[2])
    for i = 1, #members, 2 do
      if members[i + 1] == held then redis.call('HDEL', KEYS[2], members[i]) end
    end
    redis.call('HSET', KEYS[2], ARGV[1], held)
    return {3, tonumber(held), pttl, kind, check}
  end
end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[2]) then return {1, 0, pttl} end
local ord = redis.call('HINCRBY', KEYS[1], 'joins', 1)
redis.call('HSET', KEYS[2], ARGV[1], ord)
redis.call('PEXPIREAT', KEYS[2], exp)
if redis.call('HEXISTS', KEYS[1], 'freed') == 1 then
  local seq = redis.call('HGET', KEYS[1], 'seq')
  if tonumber(seq) > 0 then
    redis.call('HSET', KEYS[1], 'a' .. ord, seq)
    redis.call('PUBLISH', ARGV[3], 'a' .. ord .. ':' .. seq)
  end
end
redis.call('PUBLISH', ARGV[3], 'j' .. redis.call('HLEN', KEYS[2]))
return {3, ord, pttl, kind, check}`;

/** KEYS: meta, members. ARGV: memberId. Returns {0} gone, {1, 0, pttl} not a member, {2, seat, pttl}. */
export const memberScript = `
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then return {0} end
local seat = redis.call('HGET', KEYS[2], ARGV[1])
if seat then return {2, tonumber(seat), pttl} end
return {1, 0, pttl}`;

/**
 * Stores a message under the next event id and publishes it, or finds the copy this author already
 * stored under the same clientId (a retried send) and returns that instead. Needs locals `exp`
 * (deadline) and `author`; KEYS[1..3]: meta, msgs, cids; ARGV: channel, member id,
 * ciphertext, cap, clientId ('' for none). Returns {2, record} stored or {3, record} duplicate.
 *
 * Event ids count messages only (see NEXT_ID, INDEX_OF for where they jump); a clientId is
 * forgotten when its message is trimmed, so a remembered one always points into the list.
 * Needs NEXT_ID and INDEX_OF defined first.
 */
const STORE_AND_PUBLISH = `local cid = nil
if ARGV[5] ~= '' then
  cid = author .. ':' .. ARGV[5]
  local prior = redis.call('HGET', KEYS[3], cid)
  if prior then
    return {3, redis.call('LINDEX', KEYS[2], indexOf(tonumber(prior), '^(%d+)|'))}
  end
end
local id = nextId(ARGV[1])
${NOW_MS}
-- One record per message, id|author|time|clientId|ciphertext: none of the first four holds a
-- '|', and the ciphertext (base64url) cannot either. JSON would cost 28 more bytes each.
local msg = string.format('%d|%d|%d|', id, author, now) .. (cid and ARGV[5] or '') .. '|' .. ARGV[3]
if redis.call('RPUSH', KEYS[2], msg) > tonumber(ARGV[4]) then
  local oldest = redis.call('LPOP', KEYS[2])
  local oldAuthor, oldCid
  if string.sub(oldest, 1, 1) == '{' then
    -- Stored before this format (a deploy mid-conversation): JSON.
    local legacy = cjson.decode(oldest)
    oldAuthor, oldCid = legacy.a, legacy.c
  else
    oldAuthor, oldCid = string.match(oldest, '^%d+|(%d+)|%d+|([^|]*)|')
  end
  if oldCid and oldCid ~= '' then redis.call('HDEL', KEYS[3], oldAuthor .. ':' .. oldCid) end
end
redis.call('PEXPIREAT', KEYS[2], exp)
if cid then
  redis.call('HSET', KEYS[3], cid, id)
  redis.call('PEXPIREAT', KEYS[3], exp)
end
-- Sending ends the author's typing signal (the partner's client clears it on the message).
redis.call('HDEL', KEYS[1], 't' .. author, 'n' .. author)
redis.call('PUBLISH', ARGV[1], 'm' .. msg)
return {2, msg}`;

/**
 * Lua defining `storeInChat(author, timer, clientId, tag, body, channel, cap)`: a direct chat's
 * STORE_AND_PUBLISH. KEYS as `chatKeys`. The record (see redis-codec.ts) is tagged `e` for a
 * message (`body` its ciphertext) or `n` for a notice (`body` the notice), and expires `timer` ms
 * from now; the chat's deadline becomes the later of its own and that, on every key. Expired
 * records at the head of the list are dropped first, their clientIds with them; one further in
 * (a longer timer before a shorter one) waits for its turn at the head, unread. Returns {2,
 * record} stored or {3, record} duplicate.
 */
const STORE_IN_CHAT = `local function storeInChat(author, timer, clientId, tag, body, channel, cap)
  local cid = nil
  if clientId ~= '' then
    cid = author .. ':' .. clientId
    local prior = redis.call('HGET', KEYS[3], cid)
    if prior then
      return {3, redis.call('LINDEX', KEYS[2], indexOf(tonumber(prior), '^[en]%d+|(%d+)|'))}
    end
  end
  local function forget(record)
    local oldAuthor, oldCid = string.match(record, '^[en]%d+|%d+|(%d+)|%d+|([^|]*)|')
    if oldCid and oldCid ~= '' then redis.call('HDEL', KEYS[3], oldAuthor .. ':' .. oldCid) end
  end
  ${NOW_MS}
  local head = redis.call('LINDEX', KEYS[2], 0)
  while head and tonumber(string.match(head, '^[en](%d+)|')) <= now do
    redis.call('LPOP', KEYS[2])
    forget(head)
    head = redis.call('LINDEX', KEYS[2], 0)
  end
  local id = nextId(channel)
  local expiresAt = now + timer
  local msg = string.format('%s%d|%d|%d|%d|', tag, expiresAt, id, author, now) .. (cid and clientId or '') .. '|' .. body
  if redis.call('RPUSH', KEYS[2], msg) > tonumber(cap) then forget(redis.call('LPOP', KEYS[2])) end
  if cid then redis.call('HSET', KEYS[3], cid, id) end
  local exp = string.format('%d', math.max(tonumber(redis.call('HGET', KEYS[1], 'exp')), expiresAt))
  redis.call('HSET', KEYS[1], 'exp', exp)
  for i = 1, #KEYS do redis.call('PEXPIREAT', KEYS[i], exp) end
  if tag == 'e' then redis.call('HDEL', KEYS[1], 't' .. author, 'n' .. author) end
  redis.call('PUBLISH', channel, 'm' .. msg)
  return {2, msg}
end`;

/**
 * KEYS: as `chatKeys` (a room's send uses the first four). ARGV: channel, memberId, ciphertext,
 * cap, clientId. A member's send in one round trip: {0} gone, {1} not a member, {4} a direct chat
 * one of the two blocked (nothing stored), else as STORE_AND_PUBLISH (or storeInChat).
 */
export const appendMemberMessageScript = `
${NEXT_ID}
${INDEX_OF}
local room = redis.call('HMGET', KEYS[1], 'exp', 'tmr', 'blk')
local exp = room[1]
if not exp then return {0} end
local seat = redis.call('HGET', KEYS[4], ARGV[2])
if not seat then return {1} end
local author = tonumber(seat)
if room[2] then
  if room[3] then return {4} end
  ${STORE_IN_CHAT}
  return storeInChat(author, tonumber(room[2]), ARGV[5], 'e', ARGV[3], ARGV[1], ARGV[4])
end
${STORE_AND_PUBLISH}`;

/**
 * KEYS: meta, members. ARGV: first member, second member, timerMs. Opens a direct chat seating
 * the two in that order, lasting timerMs unless a message extends it. Returns {1 created or 0
 * already open, timerMs, blocking seat (0: none), deadline}, or {-1} when the id is a room's.
 */
export const openDirectChatScript = `
local chat = redis.call('HMGET', KEYS[1], 'exp', 'tmr', 'blk')
if chat[1] then
  if not chat[2] then return {-1} end
  return {0, tonumber(chat[2]), tonumber(chat[3] or 0), tonumber(chat[1])}
end
${NOW_MS}
local exp = string.format('%d', now + tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'kind', 'direct', 'exp', exp, 'seq', 0, 'joins', 2, 'tmr', ARGV[3])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], ARGV[1], 1, ARGV[2], 2)
redis.call('PEXPIREAT', KEYS[1], exp)
redis.call('PEXPIREAT', KEYS[2], exp)
return {1, tonumber(ARGV[3]), 0, tonumber(exp)}`;

/**
 * KEYS: as `chatKeys`. ARGV: seat, timerMs, channel, cap. Sets the direct chat's timer and
 * stores a `timer` notice by the seat, expiring by the new timer. Returns as storeInChat, or nil
 * when the chat is gone (or not a direct chat).
 */
export const setChatTimerScript = `
${NEXT_ID}
${INDEX_OF}
if not redis.call('HGET', KEYS[1], 'tmr') then return false end
redis.call('HSET', KEYS[1], 'tmr', ARGV[2])
${STORE_IN_CHAT}
return storeInChat(tonumber(ARGV[1]), tonumber(ARGV[2]), '', 'n', 't' .. ARGV[2], ARGV[3], ARGV[4])`;

/**
 * KEYS: as `chatKeys`. ARGV: seat, channel, cap. Deletes the direct chat's messages, clientIds
 * and images (its seats, settings, receipts and presence stay, and ids go on counting),
 * publishes `c<last id>`, then stores a `cleared` notice by the seat. Returns as storeInChat, or
 * nil when the chat is gone (or not a direct chat).
 */
export const clearChatScript = `
${NEXT_ID}
${INDEX_OF}
local chat = redis.call('HMGET', KEYS[1], 'tmr', 'seq')
if not chat[1] then return false end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[5])
redis.call('PUBLISH', ARGV[2], 'c' .. chat[2])
${STORE_IN_CHAT}
return storeInChat(tonumber(ARGV[1]), tonumber(chat[1]), '', 'n', 'c', ARGV[2], ARGV[3])`;

/**
 * KEYS: meta. ARGV: the blocking seat ('' to unblock). Mirrors a block into the direct chat, so
 * the send script refuses in the same step. 0 when the chat is gone (or not a direct chat).
 */
export const setChatBlockedScript = `
if not redis.call('HGET', KEYS[1], 'tmr') then return 0 end
if ARGV[1] == '' then redis.call('HDEL', KEYS[1], 'blk') else redis.call('HSET', KEYS[1], 'blk', ARGV[1]) end
return 1`;

/**
 * KEYS: meta, msgs. ARGV: afterId, reader's seat ('' for any), limit (0: no limit). Returns the
 * stored messages after afterId, never one from before the reader's seat arrived, the first
 * `limit` of them, or nil when the room is gone. Reading only what is asked for keeps a resume
 * cheap in a long conversation, and a page cheap in a full room. In a direct chat a message past
 * its expiry is skipped (it may still be stored, behind a later one), and the page filled from
 * those after it.
 */
export const messagesAfterScript = `
${INDEX_OF}
local room = redis.call('HMGET', KEYS[1], 'seq', 'tmr')
local seq = room[1]
if not seq then return false end
local after = tonumber(ARGV[1])
if ARGV[2] ~= '' then after = math.max(after, tonumber(redis.call('HGET', KEYS[1], 'a' .. ARGV[2]) or 0)) end
if tonumber(seq) <= after then return {} end
local length = redis.call('LLEN', KEYS[2])
local first = indexOf(after + 1, room[2] and '^[en]%d+|(%d+)|' or '^(%d+)|') - length
if first >= 0 then return {} end
local limit = tonumber(ARGV[3])
if room[2] then
  ${NOW_MS}
  local live = {}
  for _, record in ipairs(redis.call('LRANGE', KEYS[2], first, -1)) do
    if tonumber(string.match(record, '^[en](%d+)|')) > now then
      live[#live + 1] = record
      if #live == limit then break end
    end
  end
  return live
end
local last = -1
if limit > 0 then last = math.min(-1, first + limit - 1) end
return redis.call('LRANGE', KEYS[2], first, last)`;

/** Destroys a room (`room.destroy`); the stranger queue ends a chat's room with the same script. */
export const destroyScript = destroyRoomScript;

/**
 * KEYS: meta, cids. ARGV: seat, '1' or '0', ttlMs, sealed name, channel, draft ('' for none).
 * Starts (or renews) or stops a seat's typing signal in the meta hash (`t<seat>` until when,
 * `n<seat>` the name). A start for a draft this seat already sent (its clientId is in cids) was
 * overtaken by its message and changes nothing. 0 when gone.
 */
export const typingScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seat = ARGV[1]
if ARGV[2] == '1' and ARGV[6] ~= '' and redis.call('HEXISTS', KEYS[2], seat .. ':' .. ARGV[6]) == 1 then return 1 end
${NOW_MS}
if ARGV[2] == '1' then
  local name = ARGV[4]
  redis.call('HSET', KEYS[1], 't' .. seat, now + tonumber(ARGV[3]), 'n' .. seat, name)
  redis.call('PUBLISH', ARGV[5], 't' .. seat .. ':1:' .. ARGV[3] .. ':' .. name)
elseif redis.call('HDEL', KEYS[1], 't' .. seat, 'n' .. seat) > 0 then
  redis.call('PUBLISH', ARGV[5], 't' .. seat .. ':0:0:')
end
return 1`;

/**
 * KEYS: meta. ARGV: seat, delivered, seen, channel. Raises the seat's watermarks (`d<seat>`,
 * `s<seat>`), capped at the last event; seen implies delivered. Publishes only a change. 0 when gone.
 */
export const receiptsScript = `
local seq = redis.call('HGET', KEYS[1], 'seq')
if not seq then return 0 end
seq = tonumber(seq)
local seat = ARGV[1]
local d0 = tonumber(redis.call('HGET', KEYS[1], 'd' .. seat) or 0)
local s0 = tonumber(redis.call('HGET', KEYS[1], 's' .. seat) or 0)
local seen = math.max(s0, math.min(tonumber(ARGV[3]), seq))
local delivered = math.max(d0, math.min(tonumber(ARGV[2]), seq), seen)
if delivered ~= d0 or seen ~= s0 then
  redis.call('HSET', KEYS[1], 'd' .. seat, delivered, 's' .. seat, seen)
  redis.call('PUBLISH', ARGV[4], 'r' .. seat .. ':' .. string.format('%d:%d', delivered, seen))
end
return 1`;

/**
 * KEYS: meta, members, live. ARGV: memberId, channel, unread ('1': a visit that could read
 * nothing gives its seat back as it was). Frees the member's seat for good: forgets its presence,
 * typing, public keys, name and arrival, marks the room `freed` (later arrivals start where they
 * arrive), publishes `l<seat>` and the new count. 0 when not a member (or gone), 2 in a stranger
 * chat or a direct chat, whose seats are never given up.
 */
export const leaveScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seat = redis.call('HGET', KEYS[2], ARGV[1])
if not seat then return 0 end
local kind = redis.call('HGET', KEYS[1], 'kind')
if kind == 'match' or kind == 'direct' then return 2 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], 't' .. seat, 'n' .. seat, 'k' .. seat, 'a' .. seat, 'p' .. seat)
if ARGV[3] ~= '1' then redis.call('HSET', KEYS[1], 'freed', 1) end
local fields = redis.call('HKEYS', KEYS[3])
for _, field in ipairs(fields) do
  if string.match(field, '^%a+:' .. seat .. ':') or string.match(field, '^%a+:' .. seat .. '$') then
    redis.call('HDEL', KEYS[3], field)
  end
end
redis.call('PUBLISH', ARGV[2], 'l' .. seat)
redis.call('PUBLISH', ARGV[2], 'j' .. redis.call('HLEN', KEYS[2]))
return 1`;

/**
 * KEYS: meta. ARGV: seat, public keys, channel. Keeps the seat's latest public keys (`k<seat>`)
 * for whoever opens the room later, and publishes them to those already here. 0 when gone.
 */
export const publishKeysScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'k' .. ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], 'k' .. ARGV[1] .. ':' .. ARGV[2])
return 1`;

/**
 * KEYS: meta. ARGV: seat, sealed name, channel. Keeps the name the seat goes by (`p<seat>`, in
 * the meta hash, so it has the room's deadline) for whoever opens the room later, and publishes
 * it to those already here. 0 when gone.
 */
export const setNameScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'p' .. ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], 'n' .. ARGV[1] .. ':' .. ARGV[2])
return 1`;

/**
 * KEYS: meta, members, images. ARGV: memberId, imageId, bytes, room budget. Stores a member's
 * sealed image once per id, within the room's budget (counted in the images hash's `#bytes`),
 * with the room's deadline. Returns 0 gone, 1 not a member, 2 id taken, 3 over budget, 4 stored.
 */
export const putImageScript = `
local exp = redis.call('HGET', KEYS[1], 'exp')
if not exp then return 0 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 1 end
local field = 'i:' .. ARGV[2]
if redis.call('HEXISTS', KEYS[3], field) == 1 then return 2 end
local used = tonumber(redis.call('HGET', KEYS[3], '#bytes') or 0)
if used + #ARGV[3] > tonumber(ARGV[4]) then return 3 end
redis.call('HSET', KEYS[3], field, ARGV[3], '#bytes', used + #ARGV[3])
redis.call('PEXPIREAT', KEYS[3], exp)
return 4`;

/** KEYS: meta, members, images. ARGV: memberId, imageId. Returns {0} gone, {1} not a member, {2} no such image, {3, bytes}. */
export const getImageScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return {1} end
local bytes = redis.call('HGET', KEYS[3], 'i:' .. ARGV[2])
if not bytes then return {2} end
return {3, bytes}`;
