--- @include "keys"
-- Keeps an agent in the indexes ListAgents pages through (score 0, so ordered by id):
-- P:agx:<state> (every agent that logged in, by state) and P:qm:<q>:<state> (the available or
-- away agents serving real queue q; an offline agent serves none, see agent_state.lua).
-- `from` and `old` are the state and 'rqs' csv it is listed under, `to` and `new` the ones it
-- has now; `listed` says whether it is in these indexes yet (the caller looks it up in
-- P:agx:<from>). Only entries that change are touched: nothing when neither changed.
local function agent_list_queues(state, rqs)
  local out = {}
  if state and state ~= 'offline' then
    for rq in string.gmatch(rqs or '', '[^,]+') do
      if not string.find(rq, '#', 1, true) then  -- (step queues are not listed)
        out[rq] = true
      end
    end
  end
  return out
end

local function agent_lists(c, agent, from, to, old, new, listed)
  if listed and from == to and old == new then
    return
  end
  if not listed then
    from, old = nil, nil  -- in no index yet (it logged in before they existed)
  end
  local P = c.P
  if from ~= to then
    if from then
      redis.call('ZREM', K.agent_list(P, from), agent)
    end
    redis.call('ZADD', K.agent_list(P, to), 0, agent)
  end
  local was, is = agent_list_queues(from, old), agent_list_queues(to, new)
  for q, _ in pairs(was) do
    if not (is[q] and from == to) then
      redis.call('ZREM', K.queue_members(P, q, from), agent)
    end
  end
  for q, _ in pairs(is) do
    if not (was[q] and from == to) then
      redis.call('ZADD', K.queue_members(P, q, to), 0, agent)
    end
  end
end
