--- @include "keys"
--- @include "agent_read"
--- @include "agent_set"
--- @include "agent_free"
--- @include "agent_queue_list"
--- @include "item_read"
--- @include "unreserve"
--- @include "offer"
-- Offers the agent the work reserved for it (it is the preferred agent) that it can take now.
local function serve_reserved(c, agent)
  local a = agent_get(c, agent)
  if not a or a.nres <= 0 then
    return 0
  end
  local serves = {}
  for _, rq in ipairs(agent_queue_list(c, agent, a)) do
    serves[rq] = true
  end
  local made = 0
  local reserved = redis.call('ZRANGE', K.pref(c.P, agent), 0, 9)
  if #reserved == 0 then
    agent_set(c, agent, {'nres', '0'})  -- the count was off: nothing is reserved
  end
  for _, id in ipairs(reserved) do
    local item = item_read(c, id)
    if item and serves[item.queue] and agent_free(c, a, item.channel) > 0 then
      unreserve(c, id, agent)
      local a_score = redis.call('ZSCORE', K.avail(c.P, item.queue, item.channel, '0'), agent)
      offer(c, item, agent, item.queue, item.channel, item.sig or '0', 'preferred_agent',
        {score = item.score, agent = agent, cands = {agent, a_score or '0'}}, nil, 'age')
      a = agent_get(c, agent)
      made = made + 1
    end
  end
  return made
end
