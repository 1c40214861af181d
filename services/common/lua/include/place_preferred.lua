--- @include "keys"
--- @include "emit"
--- @include "agent_read"
--- @include "agent_set"
--- @include "agent_queue_list"
--- @include "agent_free"
--- @include "agent_busy"
--- @include "agent_score"
--- @include "skills_ok"
--- @include "offer"
-- The preferred agent's first chance at work entering queue `conf` (place.lua): offered at
-- once when the agent is free for it, else reserved for it until the queue's preferred-agent
-- wait ends. Only a logged-in, available agent who may serve the queue and the work, and has
-- not declined it, is waited for. `fields` are the interaction's fields place() writes (its
-- state aside); `waiting` the interactions waiting in the (queue, channel).
-- Returns true when it offered or reserved the work.
local function place_preferred(c, item, conf, ch, sig, req, pref, fields, waiting)
  if not pref then
    return false
  end
  local P, now, id, q = c.P, c.now, item.id, conf.name
  if item.skipped then
    local until_ms = redis.call('ZSCORE', K.skip(P, id), pref)
    if until_ms and tonumber(until_ms) > now then
      return false  -- it declined or transferred this interaction
    end
  end
  local a = agent_get(c, pref)
  if not a or a.state ~= 'available' or not skills_ok(c, pref, req) then
    return false
  end
  local serves = false
  for _, rq in ipairs(agent_queue_list(c, pref, a)) do
    serves = serves or rq == q
  end
  if not serves then
    return false
  end
  local free = agent_free(c, a, ch)
  if free > 0 then
    offer(c, item, pref, q, ch, sig, 'preferred_agent', {score = item.score, agent = pref,
      cands = {pref, string.format('%d', agent_score(c, pref, a, conf, free, agent_busy(a)))}},
      waiting + 1, nil, fields)
    return true
  end
  if conf.pref_ms <= 0 then
    return false
  end
  fields[#fields + 1] = 'reserved'
  fields[#fields + 1] = pref
  redis.call('HSET', K.ix(P, id), 'state', 'queued', unpack(fields))
  redis.call('ZADD', K.age(P, q, ch), now, id)
  redis.call('ZADD', K.pref(P, pref), item.score, id)
  redis.call('ZADD', K.pref_timers(P), now + conf.pref_ms, id)
  agent_set(c, pref, {'nres', string.format('%d', a.nres + 1)})
  emit(c, 'reserved', id, pref, q, ch, {'until', tostring(now + conf.pref_ms)})
  return true
end
