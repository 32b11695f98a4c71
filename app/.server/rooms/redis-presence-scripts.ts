import { instanceAlive, NOW_MS } from "../redis/lua";

/** Lua defining `isAlive(instance)` from ARGV[8..], the instances known to have stopped heartbeating. */
const DEAD_FROM_ARGV = `local dead = {}
for i = 8, #ARGV do dead[ARGV[i]] = true end
local function isAlive(owner) return not dead[owner] end`;

/** Lua writing a stranger seat's lease (`member`, `lease` ms from now, 0: gone) to the strangers-here set. */
const CHANGE_APPLIED = `    if lease > 0 then
      redis.call('ZADD', KEYS[5], now + lease, member)
    else
      redis.call('ZREM', KEYS[5], member)
    end
    redis.call('PEXPIRE', KEYS[5], 172800000)`;

/** The same change, returned for the caller to apply in the set's own slot. */
const CHANGE_RETURNED = `    table.insert(hereChanges, {member, lease})`;

/**
 * Presence, one script for every step so the rules live in one place. KEYS: meta, members, live,
 * then on a standalone Redis instances and strangers here (`matchKeys().here`). ARGV: op (open |
 * close | settle | state), seat, instance id, graceMs, channel, instanceTimeoutMs, the seat's open
 * streams on this instance now (open and close; an absolute count, so repeating a step after a
 * lost reply or a missed heartbeat changes nothing), then on a Cluster the instances known to
 * have stopped heartbeating.
 *
 * The live hash holds, per seat: `c:<seat>:<instance>` open streams on that instance, `on:<seat>`
 * while the seat is announced as here, `g:<seat>` the end of its grace period, `ls:<seat>` when
 * its last stream closed. Streams on an instance that stopped heartbeating (crashed, cut off)
 * count as closed, with no grace: it has already passed by the time anyone can tell.
 *
 * In a stranger chat each seat's entry in the strangers-here set follows: an open stream holds a
 * lease of instanceTimeoutMs (renewed by its instance's heartbeat), a grace period counts until
 * it ends, a seat gone is removed.
 *
 * On a Redis Cluster the heartbeats and the strangers-here set live in other slots, which a room's
 * script may not touch (decision 025): liveness comes from the caller's list of dead instances,
 * and the strangers-here changes are returned for the caller to apply (strangersHereScript).
 *
 * Returns nil when the room is gone, else {graceUntil (0 unless this close started a grace
 * period), seats taken, meta fields (op state only), {{seat, here, lastSeen}...}, Redis' clock,
 * 1 for a stranger chat else 0, and on a Cluster {{entry, lease ms (0: remove)}...}}.
 */
export const presenceScript = (cluster: boolean) => `
local exp = redis.call('HGET', KEYS[1], 'exp')
if not exp then return false end
${NOW_MS}
local op, seat, instance, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[5]
local graceMs, timeoutMs = tonumber(ARGV[4]), tonumber(ARGV[6])
if op == 'open' or op == 'close' then
  local field, count = 'c:' .. seat .. ':' .. instance, tonumber(ARGV[7])
  if count > 0 then redis.call('HSET', KEYS[3], field, count) else redis.call('HDEL', KEYS[3], field) end
end
${cluster ? DEAD_FROM_ARGV : instanceAlive("KEYS[4]")}
local seats, streams, on, grace, seen = {}, {}, {}, {}, {}
local fields = redis.call('HGETALL', KEYS[3])
for i = 1, #fields, 2 do
  local kind, s, owner = string.match(fields[i], '^(%a+):(%d+):?(.*)$')
  seats[s] = true
  if kind == 'c' then
    if isAlive(owner) then
      streams[s] = (streams[s] or 0) + tonumber(fields[i + 1])
    else
      redis.call('HDEL', KEYS[3], fields[i])
    end
  elseif kind == 'on' then on[s] = true
  elseif kind == 'g' then grace[s] = tonumber(fields[i + 1])
  elseif kind == 'ls' then seen[s] = tonumber(fields[i + 1])
  end
end
local graceUntil = 0
local out, hereChanges = {}, {}
local stranger = redis.call('HGET', KEYS[1], 'kind') == 'match'
for s in pairs(seats) do
  local here = 0
  if (streams[s] or 0) > 0 then
    here = 1
    if grace[s] then redis.call('HDEL', KEYS[3], 'g:' .. s) end
    if not on[s] then
      redis.call('HSET', KEYS[3], 'on:' .. s, 1)
      redis.call('PUBLISH', channel, 'p' .. s .. ':1:' .. (seen[s] or 0))
    end
  elseif on[s] then
    if not grace[s] and op == 'close' and s == seat then
      graceUntil = now + graceMs
      seen[s] = now
      here = 1
      redis.call('HSET', KEYS[3], 'g:' .. s, graceUntil, 'ls:' .. s, now)
      redis.call('PUBLISH', channel, 'g' .. s .. ':' .. graceUntil)
    elseif grace[s] and grace[s] > now then
      here = 1
    else
      if not grace[s] then seen[s] = now end
      redis.call('HDEL', KEYS[3], 'on:' .. s, 'g:' .. s)
      redis.call('HSET', KEYS[3], 'ls:' .. s, seen[s] or now)
      redis.call('PUBLISH', channel, 'p' .. s .. ':0:' .. (seen[s] or now))
    end
  end
  table.insert(out, {tonumber(s), here, seen[s] or 0})
  if stranger then
    local member = redis.sha1hex(KEYS[1] .. '#' .. s)
    local lease = 0
    if (streams[s] or 0) > 0 then
      lease = timeoutMs
    elseif here == 1 then
      lease = (graceUntil > 0 and s == seat and graceUntil or grace[s] or now + graceMs) - now
    end
${cluster ? CHANGE_RETURNED : CHANGE_APPLIED}
  end
end
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('PEXPIREAT', KEYS[3], exp) end
local meta = {}
if op == 'state' then meta = redis.call('HGETALL', KEYS[1]) end
return {graceUntil, redis.call('HLEN', KEYS[2]), meta, out, now, stranger and 1 or 0, hereChanges}`;

/**
 * KEYS: instances, strangers here. ARGV: instance id, timeoutMs, then the stranger seats this
 * instance holds open streams for (unhashed entries). Records this instance's heartbeat, renews
 * those seats' leases (only entries still there: a seat the presence script removed stays out),
 * and returns the instances that have missed theirs (forgotten entirely after ten timeouts).
 */
export const heartbeatScript = `
${NOW_MS}
local timeoutMs = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
for i = 3, #ARGV do redis.call('ZADD', KEYS[2], 'XX', now + timeoutMs, redis.sha1hex(ARGV[i])) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - timeoutMs * 10)
redis.call('PEXPIRE', KEYS[1], timeoutMs * 20)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - timeoutMs)`;

/**
 * On a Redis Cluster, the heartbeat's first half. KEYS: instances. ARGV: instance id, timeoutMs,
 * forgetMs. As heartbeatScript, but an instance that stopped is remembered for `forgetMs` (longer
 * than any room lives): room scripts learn who is dead only from this list, so one forgotten too
 * soon would count its streams as open again.
 */
export const instanceBeatScript = `
${NOW_MS}
local timeoutMs = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - timeoutMs)`;

/**
 * On a Redis Cluster, the heartbeat's second half and the presence script's stranger changes.
 * KEYS: strangers here. ARGV: 'renew' then timeoutMs and the unhashed seats whose leases to renew
 * (only entries still there), or 'apply' then pairs of hashed entry and lease ms (0: remove).
 * Leases are counted on this primary's clock, the one that later reads them.
 */
export const strangersHereScript = `
${NOW_MS}
if ARGV[1] == 'renew' then
  local timeoutMs = tonumber(ARGV[2])
  for i = 3, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + timeoutMs, redis.sha1hex(ARGV[i])) end
else
  for i = 2, #ARGV, 2 do
    local lease = tonumber(ARGV[i + 1])
    if lease > 0 then redis.call('ZADD', KEYS[1], now + lease, ARGV[i]) else redis.call('ZREM', KEYS[1], ARGV[i]) end
  end
  redis.call('PEXPIRE', KEYS[1], 172800000)
end
return 0`;
