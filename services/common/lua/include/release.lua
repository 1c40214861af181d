--- @include "agent_read"
--- @include "agent_set"
--- @include "agent_write"
--- @include "agent_busy"
--- @include "agent_reindex"
--- @include "agent_queue_list"
--- @include "queue_config"
--- @include "tenant_config"
--- @include "agent_exclusive_room"
--- @include "fmt_int"
-- Frees one unit of the agent's capacity on ch (the agent becomes idle when it holds nothing)
-- and updates its index entries. Returns agent_reindex's gained (queue, channel) pairs, for
-- match_agent.
local function release(c, agent, ch)
  local a = agent_get(c, agent)
  if not a then
    return {}
  end
  local held = a.load[ch] or 0
  local load = math.max(0, held - 1)
  local changes = {'load:' .. ch, fmt_int(load)}
  if held < (a.cap[ch] or 0) and not tenant_config(c).exclusive[ch] and (load > 0 or
      agent_busy(a, ch) and not agent_exclusive_room(c, a)) then
    -- It had free capacity on ch, and it still holds work there, or it holds work elsewhere
    -- and has no room on a channel worked alone: its rank (busy or not) and the channels it
    -- may take work on stay (unless a queue ranks by free capacity), and nothing in the
    -- indexes changes.
    local by_free = false
    for _, rq in ipairs(agent_queue_list(c, agent, a)) do
      local conf = queue_config(c, rq)
      by_free = by_free or (conf and conf.strategy == 2)
    end
    if not by_free then
      agent_write(c, agent, changes)
      return {}
    end
  end
  if load == 0 and not agent_busy(a, ch) then
    changes[3], changes[4] = 'idle_ms', c.now_s
  end
  agent_set(c, agent, changes)
  return agent_reindex(c, agent)
end
