--- @include "run_table"
--- @include "keys"
--- @include "queue_config"
--- @include "agent_read"
--- @include "agent_queue_list"
-- Removes the agent from every eligible index of every (queue or step queue, channel, active
-- signature) it may serve, whatever its state says (admin paths: it also repairs an index that
-- went wrong). O(queues x signatures).
local function agent_unindex(c, agent)
  local a = agent_get(c, agent)
  if not a then
    return
  end
  for _, rq in ipairs(agent_queue_list(c, agent, a)) do
    local conf = queue_config(c, rq)
    for _, ch in ipairs(conf and conf.channels or {}) do
      redis.call('ZREM', K.avail(c.P, rq, ch, '0'), agent)
      for sig, _ in pairs(conf.sigs[ch]) do
        redis.call('ZREM', K.avail(c.P, rq, ch, sig), agent)
      end
    end
  end
  run_table(c, 'entries')[agent] = {}
end
