--- @include "keys"
--- @include "split_csv"
-- The queues and step queues an agent (agent_get's) may serve: its hash's 'rqs' field (the
-- members of P:agq:<a>, kept together by agent_memberships), split once per run; read from the
-- set for an agent written before that field existed.
local function agent_queue_list(c, agent, a)
  if not a.rqs then
    return redis.call('SMEMBERS', K.agent_queues(c.P, agent))
  end
  if a.rqs_split ~= a.rqs then
    a.rqs_list, a.rqs_split = split_csv(a.rqs), a.rqs
  end
  return a.rqs_list
end
