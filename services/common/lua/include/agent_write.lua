--- @include "keys"
--- @include "agent_read"
-- Writes fields of an agent's hash ({field, value, ...}, values as strings) and the run's copy
-- of it, leaving its index entries to the caller (agent_set.lua notes them first).
local function agent_write(c, agent, changes)
  local a = agent_get(c, agent)
  if not a then
    a = {idle = 0, offer = 0, missed = 0, nres = 0, cap = {}, load = {}, sk = {}}
    c.agent[agent] = a
  end
  for i = 1, #changes, 2 do
    agent_parse(a, changes[i], changes[i + 1])
  end
  redis.call('HSET', K.agent(c.P, agent), unpack(changes))
  return a
end
