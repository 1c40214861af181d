--- @include "queue_skills"
--- @include "agent_skills"
-- An agent's rank in a queue's eligible index under the queue's strategy (lower is offered
-- first). `a` is agent_get's, `conf` the (step) queue's definition, `free` the agent's free
-- capacity on the channel, `busy` whether it holds any work. Scores are whole numbers below
-- 2^53: times are ~1.8e12 ms, the offsets 1e13 and 2e13 per unit.
local function agent_score(c, agent, a, conf, free, busy)
  -- Longest idle: agents free of work first (idle since longest), then the least recently
  -- offered of those holding some work.
  local longest_idle = busy and (1e13 + a.offer) or a.idle
  local strategy = conf.strategy
  if strategy == 2 then
    return -free * 1e13 + a.offer
  elseif strategy == 3 then
    return a.offer
  elseif strategy == 4 then
    local prof = 0
    local have = agent_skills(c, agent)
    for skill, _ in pairs(queue_skills(conf)) do
      prof = prof + (have[skill] or 0)
    end
    return -prof * 2e13 + longest_idle
  end
  return longest_idle
end
