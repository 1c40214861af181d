--- @include "keys"
--- @include "agent_read"
--- @include "agent_entries"
-- Writes fields of an agent's hash ({field, value, ...}, values as strings) and the run's copy
-- of it. The first change of an agent in a run notes the index entries it has (c.entries), so
-- that agent_reindex can touch only the entries that change.
local function agent_set(c, agent, changes)
  local a = agent_get(c, agent)
  if not a then
    a = {idle = 0, offer = 0, missed = 0, nres = 0, cap = {}, load = {}, sk = {}}
    c.agent[agent] = a
  end
  if not c.entries[agent] then
    c.entries[agent] = agent_entries(c, agent, a)
  end
  for i = 1, #changes, 2 do
    agent_parse(a, changes[i], changes[i + 1])
  end
  redis.call('HSET', K.agent(c.P, agent), unpack(changes))
end
