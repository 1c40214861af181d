--- @include "agent_read"
--- @include "agent_set"
--- @include "agent_busy"
--- @include "agent_reindex"
-- Frees one unit of the agent's capacity on ch (the agent becomes idle when it holds nothing)
-- and updates its index entries. Returns agent_reindex's gained (queue, channel) pairs, for
-- match_agent.
local function release(c, agent, ch)
  local a = agent_get(c, agent)
  if not a then
    return {}
  end
  local load = math.max(0, (a.load[ch] or 0) - 1)
  local changes = {'load:' .. ch, string.format('%d', load)}
  if load == 0 and not agent_busy(a, ch) then
    changes[3], changes[4] = 'idle_ms', c.now_s
  end
  agent_set(c, agent, changes)
  return agent_reindex(c, agent)
end
