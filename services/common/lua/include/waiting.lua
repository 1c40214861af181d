--- @include "keys"
--- @include "skills"
--- @include "steps"
-- The waiting sets of a queue: routing order per (step queue, channel, sig) and age order per
-- (real queue, channel).

-- Adds an interaction to a queue's waiting sets (routing order per sig in the step queue of its
-- step, and age order in q). A new sig gets its agent index built from the step queue's free
-- agents that have the skills.
local function waiting_add(c, q, ch, id, score, queued_ms, sig, skills_json)
  local P = c.P
  local rq = routing_queue(c, id, q)
  if sig ~= '0' and redis.call('HSETNX', K.qsig(P, rq, ch), sig, skills_json) == 1 then
    -- Build the sig's agent index from the agents having its rarest skill at the level asked
    -- (not from every free agent), keeping those free for the queue with all the skills.
    local req = cjson.decode(skills_json)
    local rarest, rarest_n
    for skill, min in pairs(req) do
      local n = redis.call('ZCOUNT', K.skill(P, skill), min, '+inf')
      if not rarest_n or n < rarest_n then
        rarest, rarest_n = skill, n
      end
    end
    local base = K.avail(P, rq, ch, '0')
    local key = K.avail(P, rq, ch, sig)
    if rarest then
      for _, agent in ipairs(redis.call('ZRANGEBYSCORE', K.skill(P, rarest), req[rarest],
          '+inf')) do
        local score = redis.call('ZSCORE', base, agent)
        if score and skills_ok(c, agent, req) then
          redis.call('ZADD', key, score, agent)
        end
      end
    end
  end
  redis.call('ZADD', K.waiting(P, rq, ch, sig), score, id)
  redis.call('ZADD', K.age(P, q, ch), queued_ms, id)
end

-- Removes an interaction from the waiting sets; a sig left without work is dropped with its
-- agent index.
local function waiting_remove(c, q, ch, id, sig)
  local P = c.P
  local rq = routing_queue(c, id, q)
  local wkey = K.waiting(P, rq, ch, sig)
  redis.call('ZREM', wkey, id)
  redis.call('ZREM', K.age(P, q, ch), id)
  if sig ~= '0' and redis.call('ZCARD', wkey) == 0 then
    redis.call('HDEL', K.qsig(P, rq, ch), sig)
    redis.call('DEL', K.avail(P, rq, ch, sig))
  end
end
