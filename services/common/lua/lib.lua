-- Shared helpers, prepended to every omniroute script when it is loaded.
--
-- Key layout (P is the tenant prefix "{t:<tenant>}", so every key of a tenant shares one hash
-- slot and all scripts run unchanged on Redis Cluster):
--   P:ix:<id>        hash   the interaction
--   P:idem:<key>     string idempotency key -> interaction id (24 h)
--   P:s:intake       stream intake -> classification
--   P:s:classified   stream classification -> routing
--   P:events         stream the tenant's event feed (capped)
--   P:cfg            hash   tenant routing config (head starts, max missed offers, version)
--   P:queues         set    queue names
--   P:qc:<q>         hash   queue config (channels, skills json, sla_ms, offer_ms, proto)
--   P:q:<q>:<ch>     zset   waiting interactions, score = queued time - priority head start
--   P:qt:<q>:<ch>    zset   the same interactions, score = first queued time (oldest wait)
--   P:qa:<q>:<ch>    zset   eligible agents with free capacity on ch, score = idle-since ms
--   P:qs:<q>         hash   queue counters (answered, answered_sla, abandoned, completed) and
--                           inflight (offered or assigned now)
--   P:agents         set    agent ids
--   P:ag:<a>         hash   agent (state, idle_ms, cap:<ch>, load:<ch>, missed)
--   P:agsk:<a>       hash   agent skills -> proficiency
--   P:agq:<a>        set    queues whose skill requirements the agent meets
--   P:ao:<a>         stream offers to the agent (capped)
--   P:skip:<id>      zset   agents that declined or missed the interaction -> skip-until ms
--   P:timers         zset   offered interaction id -> offer deadline ms

-- Default head starts (s) for P1..P4 when the tenant never wrote a config (see admin.proto).
local DEFAULT_HEAD_START = {120, 60, 30, 0}

local function kv_to_table(flat)
  local t = {}
  for i = 1, #flat, 2 do
    t[flat[i]] = flat[i + 1]
  end
  return t
end

local function emit(P, maxlen, now, etype, id, agent, queue, ch, extra)
  local args = {P .. ':events', 'MAXLEN', '~', maxlen, '*', 'type', etype, 'at', now}
  if id and id ~= '' then
    args[#args + 1] = 'ix'
    args[#args + 1] = id
  end
  if agent and agent ~= '' then
    args[#args + 1] = 'agent'
    args[#args + 1] = agent
  end
  if queue and queue ~= '' then
    args[#args + 1] = 'queue'
    args[#args + 1] = queue
  end
  if ch and ch ~= '' then
    args[#args + 1] = 'ch'
    args[#args + 1] = ch
  end
  if extra then
    for i = 1, #extra do
      args[#args + 1] = extra[i]
    end
  end
  return redis.call('XADD', unpack(args))
end

local function queue_channels(P, q)
  local s = redis.call('HGET', P .. ':qc:' .. q, 'channels')
  local out = {}
  if not s then
    return out
  end
  for ch in string.gmatch(s, '[^,]+') do
    out[#out + 1] = ch
  end
  return out
end

-- True when the agent's skills meet every requirement of a {skill = min} table.
local function skills_ok(P, agent, req)
  for skill, min in pairs(req) do
    local have = tonumber(redis.call('HGET', P .. ':agsk:' .. agent, skill) or '0')
    if have < tonumber(min) then
      return false
    end
  end
  return true
end

local function queue_skills(P, q)
  local s = redis.call('HGET', P .. ':qc:' .. q, 'skills')
  if not s or s == '' then
    return {}
  end
  return cjson.decode(s)
end

-- Puts the agent into, or takes it out of, the eligible index of every (queue, channel) it
-- is skill-eligible for, according to its state and free capacity. O(queues of the agent).
local function agent_refresh(P, agent)
  local a = kv_to_table(redis.call('HGETALL', P .. ':ag:' .. agent))
  local available = a['state'] == 'available'
  local idle = tonumber(a['idle_ms'] or '0')
  for _, q in ipairs(redis.call('SMEMBERS', P .. ':agq:' .. agent)) do
    for _, ch in ipairs(queue_channels(P, q)) do
      local cap = tonumber(a['cap:' .. ch] or '0')
      local load = tonumber(a['load:' .. ch] or '0')
      local key = P .. ':qa:' .. q .. ':' .. ch
      if available and load < cap then
        redis.call('ZADD', key, idle, agent)
      else
        redis.call('ZREM', key, agent)
      end
    end
  end
end

-- Removes the agent from every eligible index (used before its queue set changes).
local function agent_unindex(P, agent)
  for _, q in ipairs(redis.call('SMEMBERS', P .. ':agq:' .. agent)) do
    for _, ch in ipairs(queue_channels(P, q)) do
      redis.call('ZREM', P .. ':qa:' .. q .. ':' .. ch, agent)
    end
  end
end

-- Adds an interaction to a queue's waiting sets (routing order and age order).
local function waiting_add(P, q, ch, id, score, queued_ms)
  redis.call('ZADD', P .. ':q:' .. q .. ':' .. ch, score, id)
  redis.call('ZADD', P .. ':qt:' .. q .. ':' .. ch, queued_ms, id)
end

local function waiting_remove(P, q, ch, id)
  redis.call('ZREM', P .. ':q:' .. q .. ':' .. ch, id)
  redis.call('ZREM', P .. ':qt:' .. q .. ':' .. ch, id)
end

local function offer(P, maxlen, now, id, agent, q, ch)
  local ix = P .. ':ix:' .. id
  local offer_ms = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'offer_ms') or '20000')
  local deadline = now + offer_ms
  waiting_remove(P, q, ch, id)
  redis.call('HINCRBY', P .. ':qs:' .. q, 'inflight', 1)
  redis.call('HSET', ix, 'state', 'offered', 'agent', agent, 'offered_ms', now, 'deadline_ms',
    deadline)
  redis.call('HINCRBY', P .. ':ag:' .. agent, 'load:' .. ch, 1)
  redis.call('HSET', P .. ':ag:' .. agent, 'idle_ms', now)
  agent_refresh(P, agent)
  redis.call('ZADD', P .. ':timers', deadline, id)
  local f = redis.call('HMGET', ix, 'customer', 'subject', 'category', 'priority')
  redis.call('XADD', P .. ':ao:' .. agent, 'MAXLEN', '~', 1000, '*', 'kind', 'offer', 'ix', id,
    'queue', q, 'ch', ch, 'deadline', deadline, 'customer', f[1] or '', 'subject', f[2] or '',
    'category', f[3] or '', 'priority', f[4] or '0')
  emit(P, maxlen, now, 'offered', id, agent, q, ch, {'deadline', deadline})
end

-- Makes offers in one (queue, channel) while a waiting interaction and an eligible agent who
-- has not declined it meet. Looks at the first 10 waiting and first 20 agents per offer, so a
-- decision costs O(log n) in queue depth and agent count. Returns the number of offers.
local function match(P, maxlen, now, q, ch, budget)
  local qkey = P .. ':q:' .. q .. ':' .. ch
  local akey = P .. ':qa:' .. q .. ':' .. ch
  local made = 0
  while made < budget do
    local agents = redis.call('ZRANGE', akey, 0, 19)
    if #agents == 0 then
      break
    end
    local items = redis.call('ZRANGE', qkey, 0, 9)
    if #items == 0 then
      break
    end
    local chosen_id, chosen_agent
    for _, id in ipairs(items) do
      local req_s = redis.call('HGET', P .. ':ix:' .. id, 'skills')
      local req = {}
      if req_s and req_s ~= '' and req_s ~= '{}' then
        req = cjson.decode(req_s)
      end
      local skip = P .. ':skip:' .. id
      for _, agent in ipairs(agents) do
        local until_ms = redis.call('ZSCORE', skip, agent)
        if (not until_ms or tonumber(until_ms) <= now) and skills_ok(P, agent, req) then
          chosen_id, chosen_agent = id, agent
          break
        end
      end
      if chosen_id then
        break
      end
    end
    if not chosen_id then
      break
    end
    offer(P, maxlen, now, chosen_id, chosen_agent, q, ch)
    made = made + 1
  end
  return made
end

-- Tries every (queue, channel) the agent can serve; used when the agent frees capacity.
local function match_agent(P, maxlen, now, agent)
  local made = 0
  for _, q in ipairs(redis.call('SMEMBERS', P .. ':agq:' .. agent)) do
    for _, ch in ipairs(queue_channels(P, q)) do
      made = made + match(P, maxlen, now, q, ch, 100)
    end
  end
  return made
end

-- Frees one unit of the agent's capacity on ch; the agent becomes idle when it holds nothing.
local function release(P, agent, ch, now)
  local akey = P .. ':ag:' .. agent
  local load = redis.call('HINCRBY', akey, 'load:' .. ch, -1)
  if load < 0 then
    redis.call('HSET', akey, 'load:' .. ch, 0)
  end
  redis.call('HSET', akey, 'idle_ms', now)
  agent_refresh(P, agent)
end

-- Puts an offered interaction back in its queue with its original order score.
local function requeue(P, id)
  local ix = P .. ':ix:' .. id
  local f = redis.call('HMGET', ix, 'queue', 'channel', 'score', 'queued_ms')
  waiting_add(P, f[1], f[2], id, tonumber(f[3]), tonumber(f[4]))
  redis.call('HINCRBY', P .. ':qs:' .. f[1], 'inflight', -1)
  redis.call('HSET', ix, 'state', 'queued', 'agent', '', 'deadline_ms', 0)
  redis.call('ZREM', P .. ':timers', id)
  return f[1], f[2]
end

local function push_rescind(P, agent, id, reason)
  redis.call('XADD', P .. ':ao:' .. agent, 'MAXLEN', '~', 1000, '*', 'kind', 'rescind', 'ix', id,
    'reason', reason)
end
