--- @include "keys"
--- @include "agent_read"
--- @include "agent_set"
--- @include "agent_write"
--- @include "agent_busy"
--- @include "agent_reindex"
--- @include "agent_rerank"
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
  local busy = load > 0 or agent_busy(a, ch)
  if not busy then
    changes[3], changes[4] = 'idle_ms', c.now_s
  end
  -- It had free capacity on ch, which is not worked alone, and it still holds work there or
  -- has no room on a channel worked alone: the channels it may take work on stay, so its
  -- indexes do too; only its rank may change (it became idle, or a queue ranks by free
  -- capacity). Busy, it has only its load written (hash and the run's copy, as agent_write
  -- would).
  if held < (a.cap[ch] or 0) and not tenant_config(c).exclusive[ch] and (load > 0 or
      not agent_exclusive_room(c, a)) then
    local by_free = false
    for _, rq in ipairs(agent_queue_list(c, agent, a)) do
      local conf = queue_config(c, rq)
      by_free = by_free or (conf and conf.strategy == 2)
    end
    if busy and not by_free then
      a.load[ch] = load
      redis.call('HSET', K.agent(c.P, agent), changes[1], changes[2])
      return {}
    elseif not (c.entries and c.entries[agent]) then
      agent_write(c, agent, changes)
      agent_rerank(c, agent, a)
      return {}
    end
  end
  agent_set(c, agent, changes)
  return agent_reindex(c, agent)
end
