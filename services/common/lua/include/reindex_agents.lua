--- @include "keys"
--- @include "agent_read"
--- @include "agent_unindex"
--- @include "agent_entries"
--- @include "memberships"
-- Recomputes every agent's memberships and index entries after queue definitions changed:
-- the entries are removed, `change` runs, then they are written anew. O(agents x queues):
-- admin operations only.
local function reindex_agents(c, change)
  local agents = redis.call('SMEMBERS', K.agents(c.P))
  for _, agent in ipairs(agents) do
    agent_unindex(c, agent)
  end
  change()
  c.queue, c.entries, c.sig_req = {}, {}, {}
  for _, agent in ipairs(agents) do
    c.entries[agent] = {}
    agent_memberships(c, agent)
    for key, score in pairs(agent_entries(c, agent, agent_get(c, agent))) do
      redis.call('ZADD', key, string.format('%d', score), agent)
    end
    c.entries[agent] = nil
  end
  return #agents
end
