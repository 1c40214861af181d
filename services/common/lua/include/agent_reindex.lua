--- @include "agent_read"
--- @include "agent_entries"
-- Brings the agent's eligible-index entries in line with its hash after agent_set: ZADD where
-- it gained an entry or its rank changed, ZREM where it lost one, nothing elsewhere. Returns
-- the (queue, channel) pairs where it gained an entry: only there can it take waiting work it
-- could not take before.
local function agent_reindex(c, agent)
  local before = c.entries[agent] or {}
  local after = agent_entries(c, agent, agent_get(c, agent))
  local gained, seen = {}, {}
  for key, e in pairs(after) do
    local old = before[key]
    if not old or old[1] ~= e[1] then
      redis.call('ZADD', key, string.format('%d', e[1]), agent)
    end
    if not old then
      local pair = e[2] .. '|' .. e[3]
      if not seen[pair] then
        seen[pair] = true
        gained[#gained + 1] = {e[2], e[3]}
      end
    end
  end
  for key, _ in pairs(before) do
    if not after[key] then
      redis.call('ZREM', key, agent)
    end
  end
  c.entries[agent] = after
  return gained
end
