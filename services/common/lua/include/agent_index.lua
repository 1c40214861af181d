--- @include "keys"
--- @include "defaults"
--- @include "util"
--- @include "queue_config"
--- @include "skills"
-- Eligible-agent indexes P:qa:<rq>:<ch>:<sig>: the agents who may take a (step) queue's work
-- on a channel, with free capacity there, ordered for the queue's strategy.

-- The active signatures of a (queue, channel): {sig = skills table}, always with "0".
local function active_sigs(c, q, ch)
  local out = {['0'] = {}}
  local flat = redis.call('HGETALL', K.qsig(c.P, q, ch))
  for i = 1, #flat, 2 do
    out[flat[i]] = cjson.decode(flat[i + 1])
  end
  return out
end

-- An agent's rank in a queue's eligible index under the queue's strategy (lower is offered
-- first). `a` is the agent hash, `ch` the channel, `free` its free capacity on ch.
-- Scores stay below 2^53: times are ~1.8e12 ms, the offsets 1e13 and 2e13 per unit.
local function agent_score(c, agent, a, q, ch, free)
  local strategy = tonumber(redis.call('HGET', K.qc(c.P, q), 'strategy') or '1')
  local offer_ms = tonumber(a['offer_ms'] or '0')
  local busy = false
  for field, v in pairs(a) do
    if string.sub(field, 1, 5) == 'load:' and tonumber(v) > 0 then
      busy = true
    end
  end
  -- Longest idle: agents free of work first (idle since longest), then the least recently
  -- offered of those holding some work.
  local longest_idle = busy and (1e13 + offer_ms) or tonumber(a['idle_ms'] or '0')
  if strategy == 2 then
    return -free * 1e13 + offer_ms
  elseif strategy == 3 then
    return offer_ms
  elseif strategy == 4 then
    local prof = 0
    for skill, _ in pairs(queue_skills(c, q)) do
      prof = prof + tonumber(redis.call('HGET', K.agent_skills(c.P, agent), skill) or '0')
    end
    return -prof * 2e13 + longest_idle
  end
  return longest_idle
end

-- Puts the agent into, or takes it out of, the eligible index of every (queue, channel, sig)
-- it may serve, according to its state, free capacity and skills. O(queues x sigs).
local function agent_refresh(c, agent)
  local P = c.P
  local a = kv_to_table(redis.call('HGETALL', K.agent(P, agent)))
  local available = a['state'] == 'available'
  -- Cross-channel rule: exclusive channels (voice unless configured) are worked alone.
  local exclusive = {}
  for ch in string.gmatch(redis.call('HGET', K.cfg(P), 'exclusive') or D.exclusive, '[^,]+') do
    exclusive[ch] = true
  end
  local holds_exclusive, holds = {}, {}
  for field, v in pairs(a) do
    if string.sub(field, 1, 5) == 'load:' and tonumber(v) > 0 then
      local ch = string.sub(field, 6)
      holds[#holds + 1] = ch
      if exclusive[ch] then
        holds_exclusive[#holds_exclusive + 1] = ch
      end
    end
  end
  local function blocked(ch)
    for _, held in ipairs(exclusive[ch] and holds or holds_exclusive) do
      if held ~= ch then
        return true
      end
    end
    return false
  end
  for _, q in ipairs(redis.call('SMEMBERS', K.agent_queues(P, agent))) do
    for _, ch in ipairs(queue_channels(c, q)) do
      local cap = tonumber(a['cap:' .. ch] or '0')
      local load = tonumber(a['load:' .. ch] or '0')
      local free = available and load < cap and not blocked(ch)
      local score = free and agent_score(c, agent, a, q, ch, cap - load) or 0
      for sig, req in pairs(active_sigs(c, q, ch)) do
        local key = K.avail(P, q, ch, sig)
        if free and (sig == '0' or skills_ok(c, agent, req)) then
          redis.call('ZADD', key, score, agent)
        else
          redis.call('ZREM', key, agent)
        end
      end
    end
  end
end

-- Removes the agent from every eligible index (used before its queue set changes).
local function agent_unindex(c, agent)
  for _, q in ipairs(redis.call('SMEMBERS', K.agent_queues(c.P, agent))) do
    for _, ch in ipairs(queue_channels(c, q)) do
      for sig, _ in pairs(active_sigs(c, q, ch)) do
        redis.call('ZREM', K.avail(c.P, q, ch, sig), agent)
      end
    end
  end
end
