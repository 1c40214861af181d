--- @include "keys"
--- @include "kv_to_table"
-- An agent's hash (P:ag:<a>: state, idle_ms, offer_ms, cap:<ch>, load:<ch>, missed, profile,
-- rqs, nres) as a table, read once per run; nil for an agent that never logged in.
local function agent_get(c, agent)
  local a = c.agent[agent]
  if a == nil then
    local flat = redis.call('HGETALL', K.agent(c.P, agent))
    a = #flat > 0 and kv_to_table(flat) or false
    c.agent[agent] = a
  end
  return a or nil
end
