--- @include "keys"
--- @include "queue_config"
--- @include "skills"
--- @include "agent_index"
-- Which queues and step queues an agent may serve (P:agq:<a>), from its skills.

-- Whether the agent may serve queue (or step queue) q: it has the skills q requires, or it
-- may serve one of the queues a step adds (memberships of real queues are set first).
local function eligible_for(c, agent, q)
  if skills_ok(c, agent, queue_skills(c, q)) then
    return true
  end
  for other in string.gmatch(redis.call('HGET', K.qc(c.P, q), 'add') or '', '[^,]+') do
    if redis.call('SISMEMBER', K.agent_queues(c.P, agent), other) == 1 then
      return true
    end
  end
  return false
end

-- Recomputes the queues and step queues the agent may serve (P:agq:<a>); the caller
-- unindexes the agent before and refreshes it after. Returns the real queues. O(queues).
local function agent_memberships(c, agent)
  local P = c.P
  local qset = K.agent_queues(P, agent)
  redis.call('DEL', qset)
  local eligible = {}
  local queues = redis.call('SMEMBERS', K.queues(P))
  for _, q in ipairs(queues) do
    if skills_ok(c, agent, queue_skills(c, q)) then
      redis.call('SADD', qset, q)
      eligible[#eligible + 1] = q
    end
  end
  for _, q in ipairs(queues) do
    for k = 1, tonumber(redis.call('HGET', K.qc(P, q), 'nvq') or '0') do
      if eligible_for(c, agent, q .. '#' .. k) then
        redis.call('SADD', qset, q .. '#' .. k)
      end
    end
  end
  return eligible
end

-- Recomputes every agent's memberships and indexes after queue definitions changed.
-- `change` runs between unindexing and recomputing. O(agents x queues): admin operations only.
local function reindex_agents(c, change)
  local agents = redis.call('SMEMBERS', K.agents(c.P))
  for _, agent in ipairs(agents) do
    agent_unindex(c, agent)
  end
  change()
  for _, agent in ipairs(agents) do
    agent_memberships(c, agent)
    agent_refresh(c, agent)
  end
  return #agents
end
