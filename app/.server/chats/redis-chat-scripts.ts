import { NOW_MS } from "../redis/lua";

/**
 * The directory's scripts. An account's keys and channel share its hash tag (redis/keys.ts), so
 * each script runs on the one primary that holds them; on a Cluster PUBLISH becomes SPUBLISH.
 * Entries are `lastActivityAt|expiresAt|unread|partnerId` (chats/redis-codec.ts).
 */

/** Lua: `e` (a number), the expiry of the entry record `v`. */
const EXPIRY_OF = (v: string) => `tonumber(string.match(${v}, '^%d+|(%d+)|'))`;

/**
 * KEYS: chats. ARGV: chatId, partnerId, activityAt, expiresAt, unread (i: increment, c: clear,
 * k: keep), channel. Activity and expiry take the later of old and new; an entry expired by the
 * activity counts as none. The hash expires at its latest entry's expiry. Publishes the entry and
 * returns its record.
 */
export const touchScript = `
local chatId, partnerId, op = ARGV[1], ARGV[2], ARGV[5]
local activity, exp = tonumber(ARGV[3]), tonumber(ARGV[4])
local lastAt, unread = activity, 0
local old = redis.call('HGET', KEYS[1], chatId)
if old then
  local a, e, u = string.match(old, '^(%d+)|(%d+)|(%d+)|')
  if tonumber(e) > activity then
    lastAt = math.max(tonumber(a), activity)
    exp = math.max(tonumber(e), exp)
    unread = tonumber(u)
  end
end
if op == 'i' then unread = unread + 1 elseif op == 'c' then unread = 0 end
local record = string.format('%d|%d|%d|', lastAt, exp, unread) .. partnerId
redis.call('HSET', KEYS[1], chatId, record)
if redis.call('PEXPIRETIME', KEYS[1]) < exp then redis.call('PEXPIREAT', KEYS[1], string.format('%d', exp)) end
redis.call('PUBLISH', ARGV[6], 'e' .. chatId .. '|' .. record)
return record`;

/**
 * KEYS: chats. ARGV: now, and a chat id or ''. Returns the live entries (`expiresAt > now`) as one
 * string of lines, `chatId|record` each ('' for none), only that chat's when one is given,
 * dropping expired ones on the way. One string: a list of 500 is one reply to decode, not 1,000.
 * (Chat ids are letters and digits; a record's partner id is an account's UUID.) The hash's
 * expiry needs no change: it is its latest entry's, and a dropped one had passed.
 */
export const readScript = `
local now, only = tonumber(ARGV[1]), ARGV[2]
if only ~= '' then
  local record = redis.call('HGET', KEYS[1], only)
  if not record then return '' end
  if ${EXPIRY_OF("record")} > now then return only .. '|' .. record end
  redis.call('HDEL', KEYS[1], only)
  return ''
end
local fields = redis.call('HGETALL', KEYS[1])
local lines = {}
for i = 1, #fields, 2 do
  if ${EXPIRY_OF("fields[i + 1]")} > now then
    lines[#lines + 1] = fields[i] .. '|' .. fields[i + 1]
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
return table.concat(lines, '\\n')`;

/**
 * KEYS: chats. ARGV: chatId, channel. Drops the entry, brings the hash's expiry back to its latest
 * remaining entry's, publishes `removed`. Returns 1, or 0 when there was no entry.
 */
export const removeScript = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
local latest = 0
for _, record in ipairs(redis.call('HVALS', KEYS[1])) do latest = math.max(latest, ${EXPIRY_OF("record")}) end
if latest > 0 then redis.call('PEXPIREAT', KEYS[1], string.format('%d', latest)) end
redis.call('PUBLISH', ARGV[2], 'r' .. ARGV[1])
return 1`;

/**
 * KEYS: the account's chats (declared so the script runs in the account's slot). ARGV: channel,
 * payload. Publishes the payload on the account's channel.
 */
export const publishScript = `
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 0`;

/**
 * Presence, one script for every step so the rules live in one place. KEYS: live, chats. ARGV:
 * op (open | close | settle), instance id, graceMs, leaseMs, keepMs, and with open the account id
 * (kept in the hash, so whoever settles the account by its tag alone can name it to its partners).
 *
 * The live hash holds `i:<instance>` → until when that instance's lease on the account runs (it
 * holds streams open; `open` writes it, and its heartbeat repeats `open` to renew it), `on` while
 * the account is announced as here, `g` the end of its grace period, `ls` when its last stream
 * closed. A lapsed lease (its instance died or was cut off) counts as closed, with no grace: that
 * has already passed by the time anyone can tell; its `ls` is when the lease ran out. The hash
 * lasts keepMs after its last write, so a last seen outlives any chat that shows it.
 *
 * Returns {changed (1 when here flipped: the caller tells the partners), here, lastSeen (0: none),
 * next check (when the state may change by itself: a lease's end or the grace period's, 0: never),
 * when changed the partner ids of the account's live entries, and the account id ('' if unknown)}.
 */
export const presenceScript = `
${NOW_MS}
local op, mine = ARGV[1], 'i:' .. ARGV[2]
local graceMs, leaseMs = tonumber(ARGV[3]), tonumber(ARGV[4])
if op == 'open' then
  redis.call('HSET', KEYS[1], mine, now + leaseMs, 'id', ARGV[6])
elseif op == 'close' then
  redis.call('HDEL', KEYS[1], mine)
end
local leaseUntil, lapsed, on, grace, seen = 0, 0, false, nil, nil
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local field, value = fields[i], fields[i + 1]
  if field ~= 'id' then value = tonumber(value) end
  if string.sub(field, 1, 2) == 'i:' then
    if value > now then
      if leaseUntil == 0 or value < leaseUntil then leaseUntil = value end
    else
      redis.call('HDEL', KEYS[1], field)
      lapsed = math.max(lapsed, value)
    end
  elseif field == 'on' then on = true
  elseif field == 'g' then grace = value
  elseif field == 'ls' then seen = value
  end
end
local changed, here, nextCheck = 0, 0, 0
if leaseUntil > 0 then
  here, nextCheck = 1, leaseUntil
  if grace then redis.call('HDEL', KEYS[1], 'g') end
  if not on then
    redis.call('HSET', KEYS[1], 'on', 1)
    changed = 1
  end
elseif on then
  if not grace and op == 'close' then
    grace, seen = now + graceMs, now
    here, nextCheck = 1, grace
    redis.call('HSET', KEYS[1], 'g', grace, 'ls', now)
  elseif grace and grace > now then
    here, nextCheck = 1, grace
  else
    if not grace then seen = lapsed > 0 and math.min(lapsed, now) or now end
    redis.call('HDEL', KEYS[1], 'on', 'g')
    redis.call('HSET', KEYS[1], 'ls', seen)
    changed = 1
  end
end
if op ~= 'settle' or changed == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
local partners = {}
if changed == 1 then
  local entries = redis.call('HVALS', KEYS[2])
  for _, record in ipairs(entries) do
    local e, partner = string.match(record, '^%d+|(%d+)|%d+|(.*)$')
    if tonumber(e) > now then table.insert(partners, partner) end
  end
end
return {changed, here, seen or 0, nextCheck, partners, redis.call('HGET', KEYS[1], 'id') or ''}`;

/**
 * The accounts due a presence check (ACCOUNTS_DUE_KEY): account tag → when. KEYS: that set. ARGV:
 * 'due' then the most to return: the accounts due now; or 'set', the set's ttl, then pairs of
 * account tag and when (0: nothing to wait for, so it leaves the set unless someone has since set
 * a later time).
 */
export const dueScript = `
${NOW_MS}
if ARGV[1] == 'due' then
  return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
end
for i = 3, #ARGV, 2 do
  local at = tonumber(ARGV[i + 1])
  if at > 0 then
    redis.call('ZADD', KEYS[1], at, ARGV[i])
  else
    local current = redis.call('ZSCORE', KEYS[1], ARGV[i])
    if current and tonumber(current) <= now then redis.call('ZREM', KEYS[1], ARGV[i]) end
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * KEYS: accounts' live hashes (one Redis, not a Cluster: they lie in many slots); ARGV: now (ms).
 * A list's presence in one command where a pipeline is one each, read as `presenceFrom` reads a
 * hash (the Cluster's way) and returned flat as integers, {here (1/0), last seen (0: none), …} in
 * KEYS order, so a list of 500 partners decodes 1,000 numbers rather than 500 hashes of strings.
 */
export const presenceReadScript = `
local now = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local flat = redis.call('HGETALL', key)
  local leased, lapsed, on, grace, seen = false, 0, false, nil, 0
  for j = 1, #flat, 2 do
    local field, value = flat[j], flat[j + 1]
    if string.sub(field, 1, 2) == 'i:' then
      local expires = tonumber(value) or 0
      if expires > now then leased = true elseif expires > lapsed then lapsed = expires end
    elseif field == 'on' then on = true
    elseif field == 'g' then grace = tonumber(value) or 0
    elseif field == 'ls' then seen = tonumber(value) or 0
    end
  end
  local here = leased or (on and grace ~= nil and grace > now)
  -- An instance that died left its lease to lapse: last seen when it did.
  if not here and on and grace == nil and lapsed > 0 then seen = lapsed end
  out[2 * i - 1] = here and 1 or 0
  out[2 * i] = seen
end
return out`;
