--- @include "keys"
--- @include "defaults"
--- @include "queue_config"
--- @include "steps"
--- @include "reserve"
--- @include "match"
-- Tries every (queue, channel) the agent can serve, work reserved for it first; used when
-- the agent frees capacity.
local function match_agent(c, agent)
  local made = serve_reserved(c, agent)
  local seen = {}
  for _, rq in ipairs(redis.call('SMEMBERS', K.agent_queues(c.P, agent))) do
    local q = base_queue(rq)
    if not seen[q] then
      seen[q] = true
      for _, ch in ipairs(queue_channels(c, q)) do
        made = made + match(c, q, ch, D.match_budget)
      end
    end
  end
  return made
end
