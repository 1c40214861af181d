--- @include "keys"
--- @include "split_csv"
-- The queues and step queues an agent may serve: its hash's 'rqs' field (the members of
-- P:agq:<a>, kept together by agent_memberships); read from the set for an agent written
-- before that field existed.
local function agent_queue_list(c, agent, a)
  if a.rqs then
    return split_csv(a.rqs)
  end
  return redis.call('SMEMBERS', K.agent_queues(c.P, agent))
end
