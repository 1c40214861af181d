-- Shared helpers, prepended to every omniroute script when it is loaded.
--
-- Key layout (P is the tenant prefix "{t:<tenant>}", so every key of a tenant shares one hash
-- slot and all scripts run unchanged on Redis Cluster):
--   P:ix:<id>        hash   the interaction
--   P:idem:<key>     string idempotency key -> interaction id (24 h)
--   P:s:intake       stream intake -> classification
--   P:s:classified   stream classification -> routing
--   P:events         stream the tenant's event feed (capped)
--   P:cfg            hash   tenant routing config (head starts, max missed offers, exclusive
--                           channels csv, version)
--   P:queues         set    queue names
--   P:qc:<q>         hash   queue config (channels, skills json, sla_ms, offer_ms, proto)
--   P:qsig:<q>:<ch>  hash   active skill signatures of waiting work: sig -> skills json
--   P:q:<q>:<ch>:<sig>  zset waiting interactions, score = queued time - priority head start
--   P:qt:<q>:<ch>    zset   all waiting interactions of (q, ch), score = first queued time
--   P:qa:<q>:<ch>:<sig> zset eligible agents with free capacity on ch and the sig's skills,
--                           score = idle-since ms (sig "0": every agent eligible for q)
--   P:qs:<q>         hash   queue counters (answered, answered_sla, abandoned, completed),
--                           inflight (offered or assigned now) and aht_ms (average handle time,
--                           exponentially weighted)
--   P:agents         set    agent ids
--   P:ag:<a>         hash   agent (state, idle_ms: free of work since, offer_ms: last offer,
--                           cap:<ch>, load:<ch>, missed)
--   P:agsk:<a>       hash   agent skills -> proficiency
--   P:sk:<skill>     zset   agents having the skill, score = proficiency
--   P:agq:<a>        set    queues whose skill requirements the agent meets
--   P:ao:<a>         stream offers to the agent (capped)
--   P:skip:<id>      zset   agents that declined or missed the interaction -> skip-until ms
--   P:skipt          zset   "<id>|<agent>" -> skip-until ms (its end re-matches the work)
--   P:timers         zset   offered interaction id -> offer deadline ms
--   P:ex:<id>        list   routing decisions of the interaction (json, newest first, 20)
--   P:wrapups        zset   "<agent>|<ch>|<id>" -> end of the wrap-up holding that capacity
--   P:cust:<c>       hash   customer context (agent: who last accepted its work; 7 days)
--   P:conv:<c>       string the customer's open conversation id (expires after the window)
--   P:custp:<c>      hash   customer profile (UpsertCustomer: tier, value, risk, renewal_ms,
--                           pref: preferred agent)
--   P:pref:<a>       zset   work reserved for its preferred agent a, score = routing score
--   P:preft          zset   reserved interaction id -> end of the reservation
--   P:maxwait        zset   queued interaction id -> when it exceeds its queue's max wait
--   P:steps          zset   waiting or offered interaction id -> when its next bullseye step opens
--   P:rescore        hash   "<q>|<ch>" -> cursor ("<score>|<id>", '' = from the start) of a
--                           background re-score of the waiting work after a config change
--   P:capprofs       set    capacity profile names
--   P:capprof:<name> hash   capacity profile: channel -> max
--   P:profag:<name>  set    agents whose capacities follow the profile
--
-- Bullseye steps: step k (1..n) of queue q routes through the virtual "step queue" q#k (queue
-- names never contain '#'). It has its own P:qc:<q>#k (channels and strategy of q, the skills
-- left at step k, 'add': csv of queues whose agents it adds), agent membership in P:agq:<a>,
-- eligible-agent indexes and waiting sets; the age index P:qt:<q>:<ch> and the counters stay
-- with q. P:qc:<q> holds 'steps' (n), 'nvq' (step queues that exist: n, plus retired ones
-- still holding work after the steps were shortened) and 'step_ms:<k>'. An interaction's
-- 'step' field names the step queue it waits in; 'queue' is always the real queue.

-- Default head starts (s) for P1..P4 when the tenant never wrote a config (see admin.proto).
local DEFAULT_HEAD_START = {120, 60, 30, 0}

-- The transition running this script, recorded with each routing decision it makes.
local TRIGGER = 'unknown'
-- How long decision records are kept (s).
local EXPLAIN_TTL = 86400

local STRATEGY_NAMES = {'longest_idle', 'most_free_capacity', 'round_robin', 'best_proficiency'}

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

-- Bullseye step queues (see the key layout): the real queue of a step queue, the step queue
-- of a queue at a step, and the one an interaction waits in now.
local function base_queue(rq)
  return string.match(rq, '^(.*)#%d+$') or rq
end

local function step_queue(q, step)
  step = tonumber(step or '0')
  if step > 0 then
    return q .. '#' .. step
  end
  return q
end

local function routing_queue(P, id, q)
  return step_queue(q, redis.call('HGET', P .. ':ix:' .. id, 'step'))
end

-- The step an interaction that waited `elapsed` ms in q has reached.
local function step_reached(P, q, elapsed)
  local n = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'steps') or '0')
  local step = 0
  while step < n do
    local after = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'step_ms:' .. (step + 1)) or '0')
    if elapsed < after then
      break
    end
    step = step + 1
  end
  return step
end

-- Arms the timer of the interaction's next step in q (none when it reached the last).
local function schedule_step(P, id, q, queued_ms, step)
  local after = redis.call('HGET', P .. ':qc:' .. q, 'step_ms:' .. (tonumber(step) + 1))
  if after then
    redis.call('ZADD', P .. ':steps', tonumber(queued_ms) + tonumber(after), id)
  else
    redis.call('ZREM', P .. ':steps', id)
  end
end

-- The extra head start (s) a customer's value at risk gives its work: value at risk = annual
-- value x min(1, churn risk + 0.5 x renewal proximity), proximity 1 when the renewal is within
-- 30 days, fading to 0 at 90; the boost is 10 s per factor of 10 above 100 (currency units),
-- bounded by the tenant's boost_max (default 60 s), so nothing starves behind it.
local function value_boost(P, customer, now)
  if not customer or customer == '' then
    return 0
  end
  local f = redis.call('HMGET', P .. ':custp:' .. customer, 'value', 'risk', 'renewal_ms')
  local value, risk = tonumber(f[1] or '0'), tonumber(f[2] or '0')
  local renewal = tonumber(f[3] or '0')
  local max = tonumber(redis.call('HGET', P .. ':cfg', 'boost_max') or '60')
  if value <= 0 or max <= 0 then
    return 0
  end
  local proximity = 0
  if renewal > 0 then
    local days = (renewal - now) / 86400000
    if days >= 0 and days <= 30 then
      proximity = 1
    elseif days > 30 and days < 90 then
      proximity = (90 - days) / 60
    end
  end
  local at_risk = value * math.min(1, risk + 0.5 * proximity)
  if at_risk <= 100 then
    return 0
  end
  return math.min(max, 10 * math.log10(at_risk / 100))
end

-- The head start (s) of a priority in q: the queue's own, else the tenant's, else the default.
local function head_start(P, q, prio)
  prio = tonumber(prio or '3')
  return tonumber(redis.call('HGET', P .. ':qc:' .. q, 'head:' .. prio) or
    redis.call('HGET', P .. ':cfg', 'head:' .. prio) or DEFAULT_HEAD_START[prio] or 0)
end

-- An interaction's order score in q (lower first): its queued time less its priority's head
-- start and the value boost it got when it entered the queue (its 'boost' field).
local function order_score(P, q, prio, queued_ms, boost)
  return tonumber(queued_ms) - (head_start(P, q, prio) + tonumber(boost or '0')) * 1000
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

-- Skill signatures: waiting work and eligible agents are indexed per (queue, channel, sig),
-- where sig names the extra skills an interaction needs beyond the queue's own ("0" = none,
-- otherwise a digest of its skills JSON). The head of each sig's waiting set can be served by
-- the head of its agent set, so a decision never scans for an agent that has the skills and
-- work needing rare skills never blocks work behind it.
local function skills_sig(skills_json)
  if not skills_json or skills_json == '' or skills_json == '{}' then
    return '0'
  end
  return string.sub(redis.sha1hex(skills_json), 1, 12)
end

local function sig_key(P, q, ch)
  return P .. ':qsig:' .. q .. ':' .. ch
end

-- The active signatures of a (queue, channel): {sig = skills table}, always with "0".
local function active_sigs(P, q, ch)
  local out = {['0'] = {}}
  local flat = redis.call('HGETALL', sig_key(P, q, ch))
  for i = 1, #flat, 2 do
    out[flat[i]] = cjson.decode(flat[i + 1])
  end
  return out
end

-- An agent's rank in a queue's eligible index under the queue's strategy (lower is offered
-- first). `a` is the agent hash, `ch` the channel, `free` its free capacity on ch.
-- Scores stay below 2^53: times are ~1.8e12 ms, the offsets 1e13 and 2e13 per unit.
local function agent_score(P, agent, a, q, ch, free)
  local strategy = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'strategy') or '1')
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
    for skill, _ in pairs(queue_skills(P, q)) do
      prof = prof + tonumber(redis.call('HGET', P .. ':agsk:' .. agent, skill) or '0')
    end
    return -prof * 2e13 + longest_idle
  end
  return longest_idle
end

-- Puts the agent into, or takes it out of, the eligible index of every (queue, channel, sig)
-- it may serve, according to its state, free capacity and skills. O(queues x sigs).
local function agent_refresh(P, agent)
  local a = kv_to_table(redis.call('HGETALL', P .. ':ag:' .. agent))
  local available = a['state'] == 'available'
  -- Cross-channel rule: exclusive channels (voice unless configured) are worked alone.
  local exclusive = {}
  for c in string.gmatch(redis.call('HGET', P .. ':cfg', 'exclusive') or '1', '[^,]+') do
    exclusive[c] = true
  end
  local holds_exclusive, holds = {}, {}
  for field, v in pairs(a) do
    if string.sub(field, 1, 5) == 'load:' and tonumber(v) > 0 then
      local c = string.sub(field, 6)
      holds[#holds + 1] = c
      if exclusive[c] then
        holds_exclusive[#holds_exclusive + 1] = c
      end
    end
  end
  local function blocked(ch)
    for _, c in ipairs(exclusive[ch] and holds or holds_exclusive) do
      if c ~= ch then
        return true
      end
    end
    return false
  end
  for _, q in ipairs(redis.call('SMEMBERS', P .. ':agq:' .. agent)) do
    for _, ch in ipairs(queue_channels(P, q)) do
      local cap = tonumber(a['cap:' .. ch] or '0')
      local load = tonumber(a['load:' .. ch] or '0')
      local free = available and load < cap and not blocked(ch)
      local score = free and agent_score(P, agent, a, q, ch, cap - load) or 0
      for sig, req in pairs(active_sigs(P, q, ch)) do
        local key = P .. ':qa:' .. q .. ':' .. ch .. ':' .. sig
        if free and (sig == '0' or skills_ok(P, agent, req)) then
          redis.call('ZADD', key, score, agent)
        else
          redis.call('ZREM', key, agent)
        end
      end
    end
  end
end

-- Removes the agent from every eligible index (used before its queue set changes).
local function agent_unindex(P, agent)
  for _, q in ipairs(redis.call('SMEMBERS', P .. ':agq:' .. agent)) do
    for _, ch in ipairs(queue_channels(P, q)) do
      for sig, _ in pairs(active_sigs(P, q, ch)) do
        redis.call('ZREM', P .. ':qa:' .. q .. ':' .. ch .. ':' .. sig, agent)
      end
    end
  end
end

-- Adds an interaction to a queue's waiting sets (routing order per sig in the step queue of its
-- step, and age order in q). A new sig gets its agent index built from the step queue's free
-- agents that have the skills.
local function waiting_add(P, q, ch, id, score, queued_ms, sig, skills_json)
  local rq = routing_queue(P, id, q)
  if sig ~= '0' and redis.call('HSETNX', sig_key(P, rq, ch), sig, skills_json) == 1 then
    -- Build the sig's agent index from the agents having its rarest skill at the level asked
    -- (not from every free agent), keeping those free for the queue with all the skills.
    local req = cjson.decode(skills_json)
    local rarest, rarest_n
    for skill, min in pairs(req) do
      local n = redis.call('ZCOUNT', P .. ':sk:' .. skill, min, '+inf')
      if not rarest_n or n < rarest_n then
        rarest, rarest_n = skill, n
      end
    end
    local base = P .. ':qa:' .. rq .. ':' .. ch .. ':0'
    local key = P .. ':qa:' .. rq .. ':' .. ch .. ':' .. sig
    if rarest then
      for _, agent in ipairs(redis.call('ZRANGEBYSCORE', P .. ':sk:' .. rarest, req[rarest],
          '+inf')) do
        local score = redis.call('ZSCORE', base, agent)
        if score and skills_ok(P, agent, req) then
          redis.call('ZADD', key, score, agent)
        end
      end
    end
  end
  redis.call('ZADD', P .. ':q:' .. rq .. ':' .. ch .. ':' .. sig, score, id)
  redis.call('ZADD', P .. ':qt:' .. q .. ':' .. ch, queued_ms, id)
end

-- Removes an interaction from the waiting sets; a sig left without work is dropped with its
-- agent index.
local function waiting_remove(P, q, ch, id, sig)
  local rq = routing_queue(P, id, q)
  local wkey = P .. ':q:' .. rq .. ':' .. ch .. ':' .. sig
  redis.call('ZREM', wkey, id)
  redis.call('ZREM', P .. ':qt:' .. q .. ':' .. ch, id)
  if sig ~= '0' and redis.call('ZCARD', wkey) == 0 then
    redis.call('HDEL', sig_key(P, rq, ch), sig)
    redis.call('DEL', P .. ':qa:' .. rq .. ':' .. ch .. ':' .. sig)
  end
end

-- Records why an interaction was offered to an agent, as the JSON form of the
-- omniroute.v1.RoutingDecision message (read back by ExplainRouting).
local function explain(P, now, id, rq, ch, sig, pick)
  local q = base_queue(rq)
  local strategy = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'strategy') or '1')
  -- The best 8 candidates tell the story and keep the record (and its encoding) small.
  local candidates = {}
  for i, c in ipairs(pick.candidates) do
    if i > 8 then
      break
    end
    candidates[i] = {agent_id = c.agent, score = c.score, excluded = c.excluded}
  end
  local record = {
    at_ms = now, queue = q, channel = tonumber(ch), trigger = TRIGGER,
    strategy = STRATEGY_NAMES[strategy] or 'longest_idle', item_score = pick.score,
    eligible_free_agents = redis.call('ZCARD', P .. ':qa:' .. rq .. ':' .. ch .. ':' .. sig),
    waiting = redis.call('ZCARD', P .. ':qt:' .. q .. ':' .. ch),
    candidates = candidates, chosen_agent_id = pick.agent,
  }
  local step = tonumber(string.match(rq, '#(%d+)$') or '0')
  local step_skills = {}
  for name, level in pairs(queue_skills(P, rq)) do
    step_skills[#step_skills + 1] = {name = name, proficiency = level}
  end
  if #step_skills > 0 then
    record.step_required_skills = step_skills
  end
  if step > 0 then
    record.step = step
    local added = {}
    for other in string.gmatch(redis.call('HGET', P .. ':qc:' .. rq, 'add') or '', '[^,]+') do
      added[#added + 1] = other
    end
    if #added > 0 then
      record.step_added_queues = added
    end
  end
  if sig ~= '0' then
    local extra = {}
    local req = cjson.decode(redis.call('HGET', P .. ':qsig:' .. rq .. ':' .. ch, sig) or '{}')
    for name, level in pairs(req) do
      extra[#extra + 1] = {name = name, proficiency = level}
    end
    record.extra_skills = extra
  end
  local key = P .. ':ex:' .. id
  redis.call('LPUSH', key, cjson.encode(record))
  redis.call('LTRIM', key, 0, 19)
  redis.call('EXPIRE', key, EXPLAIN_TTL)
end

local function offer(P, maxlen, now, id, agent, rq, ch, sig)
  local q = base_queue(rq)
  local ix = P .. ':ix:' .. id
  local offer_ms = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'offer_ms') or '20000')
  local deadline = now + offer_ms
  waiting_remove(P, q, ch, id, sig)
  redis.call('HINCRBY', P .. ':qs:' .. q, 'inflight', 1)
  redis.call('HSET', ix, 'state', 'offered', 'agent', agent, 'offered_ms', now, 'deadline_ms',
    deadline)
  redis.call('HINCRBY', P .. ':ag:' .. agent, 'load:' .. ch, 1)
  redis.call('HSET', P .. ':ag:' .. agent, 'offer_ms', now)
  agent_refresh(P, agent)
  redis.call('ZADD', P .. ':timers', deadline, id)
  local f = redis.call('HMGET', ix, 'customer', 'subject', 'category', 'priority', 'esc_from')
  redis.call('XADD', P .. ':ao:' .. agent, 'MAXLEN', '~', 1000, '*', 'kind', 'offer', 'ix', id,
    'queue', q, 'ch', ch, 'deadline', deadline, 'customer', f[1] or '', 'subject', f[2] or '',
    'category', f[3] or '', 'priority', f[4] or '0', 'esc_from', f[5] or '')
  emit(P, maxlen, now, 'offered', id, agent, q, ch, {'deadline', deadline})
end

-- How far a decision looks: waiting items per sig (only items whose skip set holds a free
-- agent need more than the head) and free agents per sig.
local MATCH_ITEMS = 25
local MATCH_AGENTS = 20

-- The best offer a sig can make now: its best-ranked waiting item with a free agent who has
-- not declined it (the best-ranked such agent). Returns a pick {score, id, agent, candidates}
-- or nil; candidates lists the agents looked at for the chosen item.
local function sig_candidate(P, now, wkey, akey)
  local flat = redis.call('ZRANGE', akey, 0, MATCH_AGENTS - 1, 'WITHSCORES')
  if #flat == 0 then
    return nil
  end
  local items = redis.call('ZRANGE', wkey, 0, MATCH_ITEMS - 1, 'WITHSCORES')
  for i = 1, #items, 2 do
    local id = items[i]
    local skip = P .. ':skip:' .. id
    local has_skips = redis.call('EXISTS', skip) == 1
    local chosen
    local candidates = {}
    for k = 1, #flat, 2 do
      local agent = flat[k]
      local excluded = ''
      if has_skips then
        local until_ms = redis.call('ZSCORE', skip, agent)
        if until_ms and tonumber(until_ms) > now then
          excluded = 'declined_until:' .. until_ms
        end
      end
      candidates[#candidates + 1] = {agent = agent, score = tonumber(flat[k + 1]),
        excluded = excluded}
      if excluded == '' and not chosen then
        chosen = agent
      end
    end
    if chosen then
      return {score = tonumber(items[i + 1]), id = id, agent = chosen, candidates = candidates}
    end
  end
  return nil
end

-- Makes offers in one (queue, channel) while some (step queue, sig) has waiting work and a
-- free agent who may take it, best-ranked work first. Costs O(steps x sigs x log n) per offer.
-- q may be a step queue: its real queue is matched. Returns the count.
local function match(P, maxlen, now, q, ch, budget)
  q = base_queue(q)
  local rqs = {q}
  for k = 1, tonumber(redis.call('HGET', P .. ':qc:' .. q, 'nvq') or '0') do
    rqs[#rqs + 1] = q .. '#' .. k
  end
  local made = 0
  while made < budget do
    local best, best_rq, best_sig
    for _, rq in ipairs(rqs) do
      local base = P .. ':q:' .. rq .. ':' .. ch .. ':'
      local abase = P .. ':qa:' .. rq .. ':' .. ch .. ':'
      for sig, _ in pairs(active_sigs(P, rq, ch)) do
        local pick = sig_candidate(P, now, base .. sig, abase .. sig)
        if pick and (not best or pick.score < best.score) then
          best, best_rq, best_sig = pick, rq, sig
        end
      end
    end
    if not best then
      break
    end
    explain(P, now, best.id, best_rq, ch, best_sig, best)
    offer(P, maxlen, now, best.id, best.agent, best_rq, ch, best_sig)
    made = made + 1
  end
  return made
end

-- Whether the agent may serve queue (or step queue) q: it has the skills q requires, or it
-- may serve one of the queues a step adds (memberships of real queues are set first).
local function eligible_for(P, agent, q)
  if skills_ok(P, agent, queue_skills(P, q)) then
    return true
  end
  for other in string.gmatch(redis.call('HGET', P .. ':qc:' .. q, 'add') or '', '[^,]+') do
    if redis.call('SISMEMBER', P .. ':agq:' .. agent, other) == 1 then
      return true
    end
  end
  return false
end

-- Recomputes the queues and step queues the agent may serve (P:agq:<a>); the caller
-- unindexes the agent before and refreshes it after. Returns the real queues. O(queues).
local function agent_memberships(P, agent)
  local qset = P .. ':agq:' .. agent
  redis.call('DEL', qset)
  local eligible = {}
  local queues = redis.call('SMEMBERS', P .. ':queues')
  for _, q in ipairs(queues) do
    if skills_ok(P, agent, queue_skills(P, q)) then
      redis.call('SADD', qset, q)
      eligible[#eligible + 1] = q
    end
  end
  for _, q in ipairs(queues) do
    for k = 1, tonumber(redis.call('HGET', P .. ':qc:' .. q, 'nvq') or '0') do
      if eligible_for(P, agent, q .. '#' .. k) then
        redis.call('SADD', qset, q .. '#' .. k)
      end
    end
  end
  return eligible
end

-- Recomputes every agent's memberships and indexes after queue definitions changed.
-- `change` runs between unindexing and recomputing. O(agents x queues): admin operations only.
local function reindex_agents(P, change)
  local agents = redis.call('SMEMBERS', P .. ':agents')
  for _, agent in ipairs(agents) do
    agent_unindex(P, agent)
  end
  change()
  for _, agent in ipairs(agents) do
    agent_memberships(P, agent)
    agent_refresh(P, agent)
  end
  return #agents
end

local function accepts_channel(P, q, ch)
  for _, c in ipairs(queue_channels(P, q)) do
    if c == ch then
      return true
    end
  end
  return false
end

-- Applies queue limits and opening hours: the queue that admits an interaction on ch,
-- following overflow queues (up to 3 hops), or nil and the reason. `first_reason` ('closed',
-- 'max_wait_exceeded'): q itself does not admit it for that reason, its overflow is tried.
local function admit(P, q, ch, first_reason)
  local reason = first_reason
  for hop = 1, 4 do
    local f = redis.call('HMGET', P .. ':qc:' .. q, 'max_waiting', 'overflow', 'open')
    if not (hop == 1 and first_reason) then
      local max = tonumber(f[1] or '0')
      if f[3] == '0' then
        reason = reason or 'closed'
      elseif max == 0 or redis.call('ZCARD', P .. ':qt:' .. q .. ':' .. ch) < max then
        return q
      else
        reason = reason or 'queue_full'
      end
    end
    local over = f[2]
    if not over or over == '' or redis.call('SISMEMBER', P .. ':queues', over) == 0 or
        not accepts_channel(P, over, ch) then
      return nil, reason
    end
    q = over
  end
  return nil, reason or 'queue_full'
end

-- Ends an interaction refused by policy (no queue, full, waited too long).
local function reject_by_policy(P, maxlen, now, id, q, ch, reason, ttl)
  local ix = P .. ':ix:' .. id
  redis.call('HSET', ix, 'state', 'rejected', 'end_reason', reason, 'ended_ms', now)
  redis.call('EXPIRE', ix, ttl)
  redis.call('DEL', P .. ':skip:' .. id)
  emit(P, maxlen, now, 'rejected_by_policy', id, '', q or '', ch, {'reason', reason})
end

-- The agent an interaction prefers: the one named at submit, else the customer's preferred
-- agent (UpsertCustomer), else the customer's last agent.
local function preferred_agent(P, id)
  local f = redis.call('HMGET', P .. ':ix:' .. id, 'pref', 'customer')
  if f[1] and f[1] ~= '' then
    return f[1]
  end
  if f[2] and f[2] ~= '' then
    local named = redis.call('HGET', P .. ':custp:' .. f[2], 'pref')
    if named and named ~= '' then
      return named
    end
    return redis.call('HGET', P .. ':cust:' .. f[2], 'agent')
  end
  return nil
end

-- Ends the reservation of an interaction for its preferred agent.
local function unreserve(P, id, agent)
  redis.call('ZREM', P .. ':pref:' .. agent, id)
  redis.call('ZREM', P .. ':preft', id)
  redis.call('HDEL', P .. ':ix:' .. id, 'reserved')
end

-- Offers an interaction to its preferred agent, who is free for it now.
local function offer_preferred(P, maxlen, now, id, agent, q, ch, sig, score)
  local a_score = redis.call('ZSCORE', P .. ':qa:' .. q .. ':' .. ch .. ':0', agent)
  explain(P, now, id, q, ch, sig, {score = score, agent = agent, candidates = {
    {agent = agent, score = tonumber(a_score), excluded = ''}}})
  offer(P, maxlen, now, id, agent, q, ch, sig)
end

-- Offers the agent the work reserved for it (it is the preferred agent) that it can take now.
local function serve_reserved(P, maxlen, now, agent)
  local made = 0
  local saved = TRIGGER
  TRIGGER = 'preferred_agent'
  for _, id in ipairs(redis.call('ZRANGE', P .. ':pref:' .. agent, 0, 9)) do
    local f = redis.call('HMGET', P .. ':ix:' .. id, 'queue', 'channel', 'sig', 'score')
    if redis.call('ZSCORE', P .. ':qa:' .. f[1] .. ':' .. f[2] .. ':0', agent) then
      unreserve(P, id, agent)
      offer_preferred(P, maxlen, now, id, agent, f[1], f[2], f[3] or '0', tonumber(f[4]))
      made = made + 1
    end
  end
  TRIGGER = saved
  return made
end

-- Hands reservations that ran out to every agent of their queue.
local function expire_reservations(P, maxlen, now, limit)
  local due = redis.call('ZRANGEBYSCORE', P .. ':preft', '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    local ix = P .. ':ix:' .. id
    local f = redis.call('HMGET', ix, 'reserved', 'queue', 'channel', 'score', 'queued_ms', 'sig',
      'skills')
    redis.call('ZREM', P .. ':preft', id)
    if f[1] then
      unreserve(P, id, f[1])
      waiting_add(P, f[2], f[3], id, tonumber(f[4]), tonumber(f[5]), f[6] or '0', f[7] or '{}')
      emit(P, maxlen, now, 'reservation_expired', id, f[1], f[2], f[3], nil)
      match(P, maxlen, now, f[2], f[3], 100)
    end
  end
  return #due
end

-- Moves interactions that waited longer than their queue's max wait to its overflow queue
-- (waiting starts again there) or ends them as rejected (max_wait_exceeded).
local function expire_waits(P, maxlen, now, limit, ttl)
  local due = redis.call('ZRANGEBYSCORE', P .. ':maxwait', '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', P .. ':maxwait', id)
    local ix = P .. ':ix:' .. id
    local f = redis.call('HMGET', ix, 'state', 'queue', 'channel', 'sig', 'reserved', 'priority',
      'skills', 'boost')
    if f[1] == 'queued' then
      local q, ch, sig = f[2], f[3], f[4] or '0'
      if f[5] then
        unreserve(P, id, f[5])
        redis.call('ZREM', P .. ':qt:' .. q .. ':' .. ch, id)
      else
        waiting_remove(P, q, ch, id, sig)
      end
      local target, reason = admit(P, q, ch, 'max_wait_exceeded')
      if target then
        local score = order_score(P, target, f[6], now, f[8])
        redis.call('HSET', ix, 'queue', target, 'queued_ms', now, 'score', score, 'step', 0)
        schedule_step(P, id, target, now, 0)
        waiting_add(P, target, ch, id, score, now, sig, f[7] or '{}')
        emit(P, maxlen, now, 'overflowed', id, '', target, ch, {'from', q, 'reason', 'max_wait'})
        local max_wait = tonumber(redis.call('HGET', P .. ':qc:' .. target, 'max_wait_ms') or '0')
        if max_wait > 0 then
          redis.call('ZADD', P .. ':maxwait', now + max_wait, id)
        end
        match(P, maxlen, now, target, ch, 100)
      else
        redis.call('HINCRBY', P .. ':qs:' .. q, 'expired', 1)
        redis.call('ZREM', P .. ':steps', id)
        reject_by_policy(P, maxlen, now, id, q, ch, reason, ttl)
      end
    end
  end
  return #due
end

-- Puts an interaction into queue q (order score = now - priority head start), applying the
-- queue's limits and hours (overflow or rejection) and giving its preferred agent the first
-- chance; then makes any offer now possible. Returns 'queued' or 'rejected:<reason>'.
local function place(P, maxlen, now, id, q, ch, prio, skills, ttl)
  local ix = P .. ':ix:' .. id
  local reason, target
  if not q or q == '' or redis.call('SISMEMBER', P .. ':queues', q) == 0 then
    reason = 'queue_not_found'
  elseif not accepts_channel(P, q, ch) then
    reason = 'channel_not_accepted'
  else
    target, reason = admit(P, q, ch, nil)
  end
  if reason then
    reject_by_policy(P, maxlen, now, id, q, ch, reason, ttl)
    return 'rejected:' .. reason
  end
  if target ~= q then
    redis.call('HSET', ix, 'queue', target)
    local why = redis.call('HGET', P .. ':qc:' .. q, 'open') == '0' and 'closed' or 'queue_full'
    emit(P, maxlen, now, 'overflowed', id, '', target, ch, {'from', q, 'reason', why})
    q = target
  end
  local max_wait = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'max_wait_ms') or '0')
  if max_wait > 0 then
    redis.call('ZADD', P .. ':maxwait', now + max_wait, id)
  end
  local boost = value_boost(P, redis.call('HGET', ix, 'customer'), now)
  redis.call('HSET', ix, 'boost', boost)
  local score = order_score(P, q, prio, now, boost)
  local sig = skills_sig(skills)
  redis.call('HSET', ix, 'state', 'queued', 'queued_ms', now, 'score', score, 'sig', sig, 'step',
    0)
  schedule_step(P, id, q, now, 0)
  emit(P, maxlen, now, 'queued', id, '', q, ch, {'priority', tostring(prio), 'value_boost_s',
    string.format('%.1f', boost)})
  -- The preferred agent (named, or the customer's last) gets the first chance: at once when
  -- free, else the work is reserved for it until the queue's preferred-agent wait ends.
  -- Only a logged-in, available agent who may serve the queue and the work is waited for.
  local pref = preferred_agent(P, id)
  local skipped = pref and redis.call('ZSCORE', P .. ':skip:' .. id, pref)
  if skipped and tonumber(skipped) > now then
    pref = nil  -- it declined or transferred this interaction
  end
  local pref_ms = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'pref_ms') or '0')
  local eligible = pref and redis.call('HGET', P .. ':ag:' .. pref, 'state') == 'available' and
    redis.call('SISMEMBER', P .. ':agq:' .. pref, q) == 1 and
    (sig == '0' or skills_ok(P, pref, cjson.decode(skills)))
  if eligible and redis.call('ZSCORE', P .. ':qa:' .. q .. ':' .. ch .. ':0', pref) then
    local saved = TRIGGER
    TRIGGER = 'preferred_agent'
    offer_preferred(P, maxlen, now, id, pref, q, ch, sig, score)
    TRIGGER = saved
  elseif eligible and pref_ms > 0 then
    redis.call('ZADD', P .. ':qt:' .. q .. ':' .. ch, now, id)
    redis.call('ZADD', P .. ':pref:' .. pref, score, id)
    redis.call('ZADD', P .. ':preft', now + pref_ms, id)
    redis.call('HSET', ix, 'reserved', pref)
    emit(P, maxlen, now, 'reserved', id, pref, q, ch, {'until', tostring(now + pref_ms)})
  else
    waiting_add(P, q, ch, id, score, now, sig, skills)
    match(P, maxlen, now, q, ch, 100)
  end
  return 'queued'
end

-- Tries every (queue, channel) the agent can serve, work reserved for it first; used when
-- the agent frees capacity.
local function match_agent(P, maxlen, now, agent)
  local made = serve_reserved(P, maxlen, now, agent)
  local seen = {}
  for _, rq in ipairs(redis.call('SMEMBERS', P .. ':agq:' .. agent)) do
    local q = base_queue(rq)
    if not seen[q] then
      seen[q] = true
      for _, ch in ipairs(queue_channels(P, q)) do
        made = made + match(P, maxlen, now, q, ch, 100)
      end
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
  local busy = false
  local flat = redis.call('HGETALL', akey)
  for i = 1, #flat, 2 do
    if string.sub(flat[i], 1, 5) == 'load:' and tonumber(flat[i + 1]) > 0 then
      busy = true
    end
  end
  if not busy then
    redis.call('HSET', akey, 'idle_ms', now)
  end
  agent_refresh(P, agent)
end

-- Puts an offered interaction back in its queue, ordered by its first queued time (less its
-- priority's head start) and at the bullseye step its wait has reached.
local function requeue(P, id, now)
  local ix = P .. ':ix:' .. id
  local f = redis.call('HMGET', ix, 'queue', 'channel', 'priority', 'queued_ms', 'sig', 'skills',
    'boost')
  -- Config changes while it was offered (head starts, steps) apply now.
  local q, queued_ms = f[1], tonumber(f[4])
  local score = order_score(P, q, f[3], queued_ms, f[7])
  local step = step_reached(P, q, now - queued_ms)
  redis.call('HSET', ix, 'score', score, 'step', step)
  schedule_step(P, id, q, queued_ms, step)
  waiting_add(P, q, f[2], id, score, queued_ms, f[5] or '0', f[6] or '{}')
  redis.call('HINCRBY', P .. ':qs:' .. f[1], 'inflight', -1)
  redis.call('HSET', ix, 'state', 'queued', 'agent', '', 'deadline_ms', 0)
  redis.call('ZREM', P .. ':timers', id)
  return f[1], f[2]
end

local function push_rescind(P, agent, id, reason)
  redis.call('XADD', P .. ':ao:' .. agent, 'MAXLEN', '~', 1000, '*', 'kind', 'rescind', 'ix', id,
    'reason', reason)
end

-- Moves a queued interaction to another step queue of its queue (its step changed).
local function move_step(P, id, q, ch, sig, skills, score, queued_ms, step)
  waiting_remove(P, q, ch, id, sig)
  redis.call('HSET', P .. ':ix:' .. id, 'step', step)
  waiting_add(P, q, ch, id, score, queued_ms, sig, skills)
end

-- Opens the bullseye steps whose wait threshold has passed: the interaction moves to the
-- step queue of the furthest step reached, where more agents may take it, and is matched at
-- once. Offered or reserved work only records its step (it enters that step queue if it
-- comes back). Idempotent like every timer: the ZREM decides.
local function advance_steps(P, maxlen, now, limit)
  local due = redis.call('ZRANGEBYSCORE', P .. ':steps', '-inf', now, 'LIMIT', 0, limit)
  local saved = TRIGGER
  TRIGGER = 'step_opened'
  for _, id in ipairs(due) do
    if redis.call('ZREM', P .. ':steps', id) == 1 then
      local f = redis.call('HMGET', P .. ':ix:' .. id, 'state', 'queue', 'channel', 'step',
        'queued_ms', 'sig', 'skills', 'score', 'reserved')
      if f[1] == 'queued' or f[1] == 'offered' then
        local q, ch, queued_ms = f[2], f[3], tonumber(f[5])
        local step = tonumber(f[4] or '0')
        local reached = step_reached(P, q, now - queued_ms)
        if reached ~= step then
          if f[1] == 'queued' and not f[9] then
            move_step(P, id, q, ch, f[6] or '0', f[7] or '{}', tonumber(f[8]), queued_ms,
              reached)
          else
            redis.call('HSET', P .. ':ix:' .. id, 'step', reached)
          end
          emit(P, maxlen, now, 'step_opened', id, '', q, ch, {'step', tostring(reached)})
        end
        schedule_step(P, id, q, queued_ms, reached)
        if f[1] == 'queued' then
          match(P, maxlen, now, q, ch, 100)
        end
      end
    end
  end
  TRIGGER = saved
  return #due
end

-- Deletes the retired step queues of q (beyond its steps, kept after the steps were
-- shortened) once no work waits in them.
local function drop_retired_steps(P, q)
  local n = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'steps') or '0')
  local nvq = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'nvq') or '0')
  if nvq <= n then
    return
  end
  local channels = queue_channels(P, q)
  for k = n + 1, nvq do
    local vq = q .. '#' .. k
    for _, ch in ipairs(channels) do
      if redis.call('HLEN', sig_key(P, vq, ch)) > 0 or
          redis.call('ZCARD', P .. ':q:' .. vq .. ':' .. ch .. ':0') > 0 then
        return
      end
    end
  end
  reindex_agents(P, function()
    for k = n + 1, nvq do
      local vq = q .. '#' .. k
      for _, ch in ipairs(channels) do
        redis.call('DEL', P .. ':qa:' .. vq .. ':' .. ch .. ':0', sig_key(P, vq, ch))
      end
      redis.call('DEL', P .. ':qc:' .. vq)
    end
    redis.call('HSET', P .. ':qc:' .. q, 'nvq', n)
  end)
end

-- Re-scores up to `budget` waiting interactions of one (queue, channel) listed in P:rescore
-- after a config change: new head starts give a new order score, new steps a new step queue.
-- Walks P:qt:<q>:<ch> in (queued time, id) order from the saved cursor, so each call costs
-- O(budget x log n) and work enqueued after the change (scored by the new config) is passed
-- over cheaply. Returns the number of interactions looked at.
local function rescore_chunk(P, maxlen, now, budget)
  local field = redis.call('HRANDFIELD', P .. ':rescore')
  if not field then
    return 0
  end
  local cursor = redis.call('HGET', P .. ':rescore', field) or ''
  local q, ch = string.match(field, '^(.*)|(%d+)$')
  local qt = P .. ':qt:' .. q .. ':' .. ch
  local items = {}
  local last_score, last_id = string.match(cursor, '^(.-)|(.*)$')
  local rank = last_id and redis.call('ZRANK', qt, last_id)
  if not last_id then
    items = redis.call('ZRANGE', qt, 0, budget - 1, 'WITHSCORES')
  elseif rank then
    items = redis.call('ZRANGE', qt, rank + 1, rank + budget, 'WITHSCORES')
  else
    -- The cursor's item left: resume after it in (score, id) order.
    local flat = redis.call('ZRANGEBYSCORE', qt, last_score, '+inf', 'WITHSCORES', 'LIMIT', 0,
      budget)
    for i = 1, #flat, 2 do
      if tonumber(flat[i + 1]) > tonumber(last_score) or flat[i] > last_id then
        items[#items + 1] = flat[i]
        items[#items + 1] = flat[i + 1]
      end
    end
    if #items == 0 and #flat == budget then
      -- Only ties at or before the cursor: continue past them next time.
      redis.call('HSET', P .. ':rescore', field, flat[#flat] .. '|' .. flat[#flat - 1])
      return #flat / 2
    end
  end
  local moved = 0
  for i = 1, #items, 2 do
    local id = items[i]
    local f = redis.call('HMGET', P .. ':ix:' .. id, 'state', 'priority', 'queued_ms', 'score',
      'step', 'sig', 'skills', 'reserved', 'boost')
    if f[1] == 'queued' then
      local queued_ms = tonumber(f[3])
      local score = order_score(P, q, f[2], queued_ms, f[9])
      local step = step_reached(P, q, now - queued_ms)
      local sig = f[6] or '0'
      if f[8] then
        redis.call('HSET', P .. ':ix:' .. id, 'score', score, 'step', step)
        redis.call('ZADD', P .. ':pref:' .. f[8], score, id)
      elseif step ~= tonumber(f[5] or '0') then
        redis.call('HSET', P .. ':ix:' .. id, 'score', score)
        move_step(P, id, q, ch, sig, f[7] or '{}', score, queued_ms, step)
        moved = moved + 1
      elseif score ~= tonumber(f[4]) then
        redis.call('HSET', P .. ':ix:' .. id, 'score', score)
        redis.call('ZADD', P .. ':q:' .. step_queue(q, step) .. ':' .. ch .. ':' .. sig, score, id)
      end
      schedule_step(P, id, q, queued_ms, step)
    end
  end
  local seen = #items / 2
  if seen < budget then
    redis.call('HDEL', P .. ':rescore', field)
    emit(P, maxlen, now, 'rescored', '', '', q, ch, nil)
    drop_retired_steps(P, q)
  else
    redis.call('HSET', P .. ':rescore', field, items[#items] .. '|' .. items[#items - 1])
  end
  local saved = TRIGGER
  TRIGGER = 'rescore'
  match(P, maxlen, now, q, ch, 100)
  TRIGGER = saved
  return seen
end

-- Skips the agent for the interaction until `until_ms` (it declined, missed or transferred it);
-- a timer re-matches the work when the skip ends, so an agent who is then still free and
-- eligible gets it without waiting for the sweep.
local function skip_agent(P, id, agent, until_ms)
  redis.call('ZADD', P .. ':skip:' .. id, until_ms, agent)
  redis.call('ZADD', P .. ':skipt', until_ms, id .. '|' .. agent)
end

-- Fires due skip ends: work still waiting is matched again.
local function end_skips(P, maxlen, now, limit)
  local due = redis.call('ZRANGEBYSCORE', P .. ':skipt', '-inf', now, 'LIMIT', 0, limit)
  local saved = TRIGGER
  TRIGGER = 'skip_ended'
  for _, member in ipairs(due) do
    if redis.call('ZREM', P .. ':skipt', member) == 1 then
      local id = string.match(member, '^([^|]+)|')
      local f = redis.call('HMGET', P .. ':ix:' .. id, 'state', 'queue', 'channel', 'reserved')
      if f[1] == 'queued' and not f[4] then
        match(P, maxlen, now, f[2], f[3], 100)
      end
    end
  end
  TRIGGER = saved
  return #due
end
