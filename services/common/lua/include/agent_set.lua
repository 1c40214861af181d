--- @include "run_table"
--- @include "agent_read"
--- @include "agent_write"
--- @include "agent_entries"
-- Writes fields of an agent's hash ({field, value, ...}, values as strings) and the run's copy
-- of it. The first change of an agent in a run notes the index entries it has (c.entries), so
-- that agent_reindex can touch only the entries that change.
local function agent_set(c, agent, changes)
  local noted = run_table(c, 'entries')
  if not noted[agent] then
    noted[agent] = agent_entries(c, agent, agent_get(c, agent))
  end
  agent_write(c, agent, changes)
end
