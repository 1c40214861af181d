--- @include "keys"
--- @include "agent_read"
-- Ends the reservation of an interaction for its preferred agent (the agent's 'nres' counts
-- the work reserved for it, so that freeing capacity looks for reserved work only when some
-- exists).
local function unreserve(c, id, agent)
  redis.call('ZREM', K.pref(c.P, agent), id)
  redis.call('ZREM', K.pref_timers(c.P), id)
  redis.call('HDEL', K.ix(c.P, id), 'reserved')
  local nres = redis.call('HINCRBY', K.agent(c.P, agent), 'nres', -1)
  if nres < 0 then
    redis.call('HSET', K.agent(c.P, agent), 'nres', 0)
    nres = 0
  end
  local a = agent_get(c, agent)
  if a then
    a.nres = nres
  end
end
