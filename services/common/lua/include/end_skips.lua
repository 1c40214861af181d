--- @include "keys"
--- @include "defaults"
--- @include "match"
-- Fires due skip ends: work still waiting is matched again.
local function end_skips(c, limit)
  local P = c.P
  local due = redis.call('ZRANGEBYSCORE', K.skip_timers(P), '-inf', c.now, 'LIMIT', 0, limit)
  for _, member in ipairs(due) do
    if redis.call('ZREM', K.skip_timers(P), member) == 1 then
      local id = string.match(member, '^([^|]+)|')
      local f = redis.call('HMGET', K.ix(P, id), 'state', 'queue', 'channel', 'reserved')
      if f[1] == 'queued' and not f[4] then
        match(c, f[2], f[3], D.match_budget, 'skip_ended')
      end
    end
  end
  return #due
end
