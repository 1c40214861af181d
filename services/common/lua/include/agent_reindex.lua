--- @include "run_table"
--- @include "agent_read"
--- @include "agent_entries"
-- Brings the agent's eligible-index entries in line with its hash after agent_set: ZADD where
-- it gained an entry or its rank changed, ZREM where it lost one, nothing elsewhere. Returns
-- the (queue, channel) pairs where it gained an entry: only there can it take waiting work it
-- could not take before.
local function agent_reindex(c, agent)
  local before = c.entries and c.entries[agent] or {}
  local after = agent_entries(c, agent, agent_get(c, agent))
  local gained, seen = {}, {}
  for key, score in pairs(after) do
    local old = before[key]
    if old ~= score then
      redis.call('ZADD', key, string.format('%d', score), agent)
      if not old then
        local pair = c.entry_pair[key]
        if not seen[pair] then
          seen[pair] = true
          gained[#gained + 1] = pair
        end
      end
    end
  end
  for key, _ in pairs(before) do
    if not after[key] then
      redis.call('ZREM', key, agent)
    end
  end
  run_table(c, 'entries')[agent] = after
  return gained
end
