--- @include "keys"
--- @include "steps"
--- @include "scoring"
--- @include "waiting"
--- @include "agent_index"
-- Work leaving an agent: capacity freed, offered work put back, agents skipped for an item.

-- Frees one unit of the agent's capacity on ch; the agent becomes idle when it holds nothing.
local function release(c, agent, ch)
  local akey = K.agent(c.P, agent)
  local load = redis.call('HINCRBY', akey, 'load:' .. ch, -1)
  if load < 0 then
    redis.call('HSET', akey, 'load:' .. ch, 0)
  end
  local busy = false
  local flat = redis.call('HGETALL', akey)
  for i = 1, #flat, 2 do
    if string.sub(flat[i], 1, 5) == 'load:' and tonumber(flat[i + 1]) > 0 then
      busy = true
    end
  end
  if not busy then
    redis.call('HSET', akey, 'idle_ms', c.now)
  end
  agent_refresh(c, agent)
end

-- Puts an offered interaction back in its queue, ordered by its first queued time (less its
-- priority's head start) and at the bullseye step its wait has reached.
local function requeue(c, id)
  local P = c.P
  local ix = K.ix(P, id)
  local f = redis.call('HMGET', ix, 'queue', 'channel', 'priority', 'queued_ms', 'sig', 'skills',
    'boost')
  -- Config changes while it was offered (head starts, steps) apply now.
  local q, queued_ms = f[1], tonumber(f[4])
  local score = order_score(c, q, f[3], queued_ms, f[7])
  local step = step_reached(c, q, c.now - queued_ms)
  redis.call('HSET', ix, 'score', score, 'step', step)
  schedule_step(c, id, q, queued_ms, step)
  waiting_add(c, q, f[2], id, score, queued_ms, f[5] or '0', f[6] or '{}')
  redis.call('HINCRBY', K.qs(P, f[1]), 'inflight', -1)
  redis.call('HSET', ix, 'state', 'queued', 'agent', '', 'deadline_ms', 0)
  redis.call('ZREM', K.timers(P), id)
  return f[1], f[2]
end

-- Skips the agent for the interaction until `until_ms` (it declined, missed or transferred it);
-- a timer re-matches the work when the skip ends, so an agent who is then still free and
-- eligible gets it without waiting for the sweep.
local function skip_agent(c, id, agent, until_ms)
  redis.call('ZADD', K.skip(c.P, id), until_ms, agent)
  redis.call('ZADD', K.skip_timers(c.P), until_ms, id .. '|' .. agent)
end
