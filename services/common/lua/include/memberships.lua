--- @include "keys"
--- @include "queue_config"
--- @include "queue_skills"
--- @include "skills_ok"
--- @include "split_csv"
--- @include "agent_set"
--- @include "agent_read"
--- @include "agent_lists"
-- Recomputes the queues and step queues the agent may serve from its skills: P:agq:<a> and
-- the hash's 'rqs' field (through agent_set, so the caller's agent_reindex follows). A step
-- queue is served by agents with the skills left at that step, and by the agents of the
-- queues the step adds. Keeps ListAgents' indexes (agent_lists.lua): `from` is the state the
-- agent had before this run (nil: the one it has). Returns the real queues. O(queues): admin
-- paths only.
local function agent_memberships(c, agent, from)
  local P = c.P
  local a = agent_get(c, agent) or {}
  local state, old = a.state, a.rqs
  -- Listed already when in the index of the state it had (not for one that logged in before
  -- the indexes existed); nothing in the agent's hash says so, as every offer reads it.
  local listed = state and redis.call('ZSCORE', K.agent_list(P, from or state), agent)
  local qset = K.agent_queues(P, agent)
  redis.call('DEL', qset)
  local eligible, serves, list = {}, {}, {}
  local queues = redis.call('SMEMBERS', K.queues(P))
  for _, q in ipairs(queues) do
    local conf = queue_config(c, q)
    if conf and skills_ok(c, agent, queue_skills(conf)) then
      eligible[#eligible + 1] = q
      serves[q] = true
      list[#list + 1] = q
    end
  end
  for _, q in ipairs(queues) do
    local conf = queue_config(c, q)
    for k = 1, conf and conf.nvq or 0 do
      local vconf = queue_config(c, q .. '#' .. k)
      local ok = vconf and skills_ok(c, agent, queue_skills(vconf))
      for _, other in ipairs(vconf and split_csv(vconf.add) or {}) do
        ok = ok or serves[other]
      end
      if ok then
        list[#list + 1] = q .. '#' .. k
      end
    end
  end
  if #list > 0 then
    redis.call('SADD', qset, unpack(list))
  end
  local rqs = table.concat(list, ',')
  agent_set(c, agent, {'rqs', rqs})
  agent_lists(c, agent, from or state, state, old, rqs, listed)
  return eligible
end
