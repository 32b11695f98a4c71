/** Lua snippets every script family shares: rooms, presence, the stranger queue, stream slots. */

/**
 * Defines `now`, in ms, from Redis' own clock (TIME): instances with skewed clocks still agree on
 * deadlines.
 */
export const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Lua defining `isAlive(instance)`: whether that instance has sent a heartbeat within `timeoutMs`
 * (of `now`), by the heartbeats in `instancesKey`. Answers are remembered for the script's run.
 */
export const instanceAlive = (instancesKey: string) => `local alive = {}
local function isAlive(owner)
  if alive[owner] == nil then
    local beat = redis.call('ZSCORE', ${instancesKey}, owner)
    alive[owner] = beat ~= false and tonumber(beat) > now - timeoutMs
  end
  return alive[owner]
end`;
