--- @include "keys"
-- Skips the agent for the interaction until `until_ms` (it declined, missed or transferred
-- it); a timer re-matches the work when the skip ends, so an agent who is then still free and
-- eligible gets it without waiting for the sweep. The interaction's 'skipped' field says it
-- has a skip set (read with it, so work never skipped costs no lookup).
local function skip_agent(c, item, agent, until_ms)
  redis.call('ZADD', K.skip(c.P, item.id), until_ms, agent)
  redis.call('ZADD', K.skip_timers(c.P), until_ms, item.id .. '|' .. agent)
  if not item.skipped then
    redis.call('HSET', K.ix(c.P, item.id), 'skipped', 1)
    item.skipped = '1'
  end
end
