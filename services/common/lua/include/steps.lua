--- @include "keys"
-- Bullseye steps: step k (1..n) of queue q routes through the virtual "step queue" q#k (queue
-- names never contain '#'). It has its own P:qc:<q>#k (channels and strategy of q, the skills
-- left at step k, 'add': csv of queues whose agents it adds), agent membership in P:agq:<a>,
-- eligible-agent indexes and waiting sets; the age index P:qt:<q>:<ch> and the counters stay
-- with q. P:qc:<q> holds 'steps' (n), 'nvq' (step queues that exist: n, plus retired ones
-- still holding work after the steps were shortened) and 'step_ms:<k>'. An interaction's
-- 'step' field names the step queue it waits in; 'queue' is always the real queue.

-- The real queue of a step queue.
local function base_queue(rq)
  return string.match(rq, '^(.*)#%d+$') or rq
end

-- The step queue of q at a step.
local function step_queue(q, step)
  step = tonumber(step or '0')
  if step > 0 then
    return q .. '#' .. step
  end
  return q
end

-- The step queue an interaction waits in now.
local function routing_queue(c, id, q)
  return step_queue(q, redis.call('HGET', K.ix(c.P, id), 'step'))
end

-- The step an interaction that waited `elapsed` ms in q has reached.
local function step_reached(c, q, elapsed)
  local qc = K.qc(c.P, q)
  local n = tonumber(redis.call('HGET', qc, 'steps') or '0')
  local step = 0
  while step < n do
    local after = tonumber(redis.call('HGET', qc, 'step_ms:' .. (step + 1)) or '0')
    if elapsed < after then
      break
    end
    step = step + 1
  end
  return step
end

-- Arms the timer of the interaction's next step in q (none when it reached the last).
local function schedule_step(c, id, q, queued_ms, step)
  local after = redis.call('HGET', K.qc(c.P, q), 'step_ms:' .. (tonumber(step) + 1))
  if after then
    redis.call('ZADD', K.steps(c.P), tonumber(queued_ms) + tonumber(after), id)
  else
    redis.call('ZREM', K.steps(c.P), id)
  end
end
