#!lua flags=no-writes
-- Idle check of the randomized e2e test (randomized_test.cc), read-only: lists every
-- (agent, interaction) pair where an available agent with free capacity could take work that
-- waits. Routing matches inside every transition, so such a pair should vanish at once; the
-- test samples this script every ~20 ms and flags a pair that stays.
--
-- Eligibility is computed from the primary state only, independently of the routing indexes
-- (P:qa:*, P:q:*, P:qsig:*, P:agq:*, P:sk:*), which are what this check is meant to verify:
--   agents  P:agents, P:ag:<a> (state, cap:<ch>, load:<ch>, offer_ms, idle_ms), P:agsk:<a>
--   queues  P:queues, P:qc:<q> (channels csv, skills json)
--   tenant  P:cfg 'exclusive' (csv of channels worked alone; none written = '1', voice)
--   work    P:qt:<q>:<ch> (all waiting items, oldest first), P:ix:<id> (state, skills,
--           reserved, offered_ms), P:skip:<id> (agent -> skipped until, ms)
--
-- KEYS none: every key is under the tenant prefix ARGV[1] (one hash slot).
-- ARGV[1] P  ARGV[2] now ms  ARGV[3] oldest waiting items looked at per (queue, channel)
-- ARGV[4] bullseye steps as the test configured them (not read from Redis), cumulative:
--         {queue: [{"ms": opens after this wait, "skills": {name: min} in force,
--         "add": [queues whose agents may take the work too]}]}  ('{}' = none)
-- ARGV[5] grace ms: a step counts as open this long after its threshold (its timer fires on
--         the routing replicas' poll, every 100 ms)
-- Returns {pairs, counts}
--   pairs   {agent, id, epoch, wait_ms} each. epoch changes whenever the agent or the item got
--           an offer, or the agent changed state or skills: a pair seen in two samples with
--           the same epoch stayed eligible (and idle) all the time in between.
--   counts  {agents available with free capacity, waiting items looked at, waiting items in
--           all, items in a waiting set whose state is not 'queued' (among those some free
--           agent meets the requirements of), the script's own run time in microseconds}

local P, now, per_list = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local steps_by_queue = cjson.decode(ARGV[4] or '{}')
local grace = tonumber(ARGV[5] or '0')
local started = redis.call('TIME')

local function hgetall(key)
  local flat = redis.call('HGETALL', key)
  local t = {}
  for i = 1, #flat, 2 do
    t[flat[i]] = flat[i + 1]
  end
  return t
end

local function decode_skills(json)
  if not json or json == '' then
    return {}
  end
  return cjson.decode(json)
end

-- Queue configs, read once: {channels = {ch...}, skills = {name = min}}.
local queue_cache = {}
local function queue_config(q)
  local c = queue_cache[q]
  if not c then
    local f = redis.call('HMGET', P .. ':qc:' .. q, 'channels', 'skills')
    c = {channels = {}, skills = decode_skills(f[2])}
    for ch in string.gmatch(f[1] or '', '[^,]+') do
      c.channels[#c.channels + 1] = ch
    end
    queue_cache[q] = c
  end
  return c
end

-- What an agent needs to serve interaction `id` that has waited `wait_ms` in queue `q`: a list
-- of alternative requirement sets (name -> minimum proficiency), any one of which suffices,
-- and a canonical text form (equal requirements, equal text). Before any bullseye step opened
-- that is the queue's required skills and the interaction's own (set by classification), the
-- higher minimum winning. Once step k is open (its threshold plus the grace passed), the
-- step's skills replace the queue's, and the skills of each queue the step adds are an
-- alternative; the interaction's own skills are needed in every case.
local requirements_cache = {}  -- queue -> step -> the item's skills json -> {alts, text}
local function merged(base, own)
  local req = {}
  for skill, min in pairs(base) do
    req[skill] = tonumber(min)
  end
  for skill, min in pairs(own) do
    min = tonumber(min)
    if not req[skill] or min > req[skill] then
      req[skill] = min
    end
  end
  return req
end
local function canonical(req)
  local names = {}
  for skill, min in pairs(req) do
    names[#names + 1] = skill .. '=' .. min
  end
  table.sort(names)
  return table.concat(names, ',')
end
local function item_requirements(P, id, q, wait_ms)
  local steps = steps_by_queue[q] or {}
  local step = 0
  for k, st in ipairs(steps) do
    if wait_ms >= st.ms + grace then
      step = k
    end
  end
  local own = redis.call('HGET', P .. ':ix:' .. id, 'skills') or ''
  requirements_cache[q] = requirements_cache[q] or {}
  local by_step = requirements_cache[q]
  by_step[step] = by_step[step] or {}
  local memo = by_step[step][own]
  if memo then
    return memo[1], memo[2]
  end
  local own_skills = decode_skills(own)
  local base = step == 0 and queue_config(q).skills or steps[step].skills
  local alts = {merged(base, own_skills)}
  local texts = {canonical(alts[1])}
  if step > 0 then
    for _, other in ipairs(steps[step].add or {}) do
      alts[#alts + 1] = merged(queue_config(other).skills, own_skills)
      texts[#texts + 1] = canonical(alts[#alts])
    end
  end
  local text = table.concat(texts, ' | ')
  by_step[step][own] = {alts, text}
  return alts, text
end

-- Channels worked alone.
local exclusive = {}
for ch in string.gmatch(redis.call('HGET', P .. ':cfg', 'exclusive') or '1', '[^,]+') do
  exclusive[ch] = true
end

-- Available agents with free capacity: agent -> {skills, offer_ms, idle_ms}, and the agents
-- free on each channel. Free on ch: load < capacity, and the cross-channel rule allows it: an agent holding
-- work on an exclusive channel takes nothing on another channel, and work on an exclusive
-- channel goes only to an agent holding nothing on another channel.
local free_agents, free_on = {}, {}
local n_free = 0
for _, agent in ipairs(redis.call('SMEMBERS', P .. ':agents')) do
  local flat = redis.call('HGETALL', P .. ':ag:' .. agent)
  local state, caps, loads, offer_ms, idle_ms = nil, {}, {}, '0', '0'
  for i = 1, #flat, 2 do
    local field, v = flat[i], flat[i + 1]
    local head = string.sub(field, 1, 4)
    if head == 'cap:' then
      caps[string.sub(field, 5)] = tonumber(v)
    elseif head == 'load' then
      loads[string.sub(field, 6)] = tonumber(v)
    elseif field == 'state' then
      state = v
    elseif field == 'offer_ms' then
      offer_ms = v
    elseif field == 'idle_ms' then
      idle_ms = v
    end
  end
  if state == 'available' then
    local held, held_exclusive = 0, 0  -- channels with work, exclusive ones
    for c, load in pairs(loads) do
      if load > 0 then
        held = held + 1
        if exclusive[c] then
          held_exclusive = held_exclusive + 1
        end
      end
    end
    local free = {}
    for ch, cap in pairs(caps) do
      local load = loads[ch] or 0
      if load < cap then
        -- Work held on channels other than ch (ch itself counts when its load is > 0).
        local mine = load > 0 and 1 or 0
        local other = held - mine
        local other_exclusive = held_exclusive - ((exclusive[ch] and mine) or 0)
        if (exclusive[ch] and other == 0) or (not exclusive[ch] and other_exclusive == 0) then
          free[#free + 1] = ch
        end
      end
    end
    if #free > 0 then
      free_agents[agent] = {skills = hgetall(P .. ':agsk:' .. agent),
        offer_ms = offer_ms, idle_ms = idle_ms}
      n_free = n_free + 1
      for _, ch in ipairs(free) do
        free_on[ch] = free_on[ch] or {}
        table.insert(free_on[ch], agent)
      end
    end
  end
end

-- An agent's epoch: changes when it gets an offer, changes state or skills.
local function agent_epoch(agent)
  local a = free_agents[agent]
  if not a.epoch then
    local names = {}
    for name, level in pairs(a.skills) do
      names[#names + 1] = name .. '=' .. level
    end
    table.sort(names)
    a.epoch = a.offer_ms .. ':' .. a.idle_ms .. ':' .. table.concat(names, ',')
  end
  return a.epoch
end

-- The agents free on ch that meet one of the requirement sets `alts` (canonical text `text`),
-- computed once per (requirements, channel).
local candidates_cache = {}  -- ch -> requirements text -> agents
local function meets(skills, req)
  for skill, min in pairs(req) do
    if tonumber(skills[skill] or '0') < min then
      return false
    end
  end
  return true
end
local function candidates(alts, text, ch)
  local by_channel = candidates_cache[ch]
  if not by_channel then
    by_channel = {}
    candidates_cache[ch] = by_channel
  end
  local out = by_channel[text]
  if not out then
    out = {}
    for _, agent in ipairs(free_on[ch] or {}) do
      local skills = free_agents[agent].skills
      local ok = false
      for _, req in ipairs(alts) do
        if meets(skills, req) then
          ok = true
          break
        end
      end
      if ok then
        out[#out + 1] = agent
      end
    end
    by_channel[text] = out
  end
  return out
end

-- Waiting items with an eligible agent free now. Only lists on a channel some agent is free on
-- are read, so a sample costs little while every agent is busy.
local pairs_out = {}
local looked, waiting, stale = 0, 0, 0
for _, q in ipairs(redis.call('SMEMBERS', P .. ':queues')) do
  for _, ch in ipairs(queue_config(q).channels) do
    local wkey = P .. ':qt:' .. q .. ':' .. ch
    local n = redis.call('ZCARD', wkey)
    waiting = waiting + n
    if n > 0 and free_on[ch] then
      local items = redis.call('ZRANGE', wkey, 0, per_list - 1, 'WITHSCORES')
      for i = 1, #items, 2 do
        local id, queued_ms = items[i], tonumber(items[i + 1])
        looked = looked + 1
        local alts, text = item_requirements(P, id, q, now - queued_ms)
        local cands = candidates(alts, text, ch)
        if #cands > 0 then
          local f = redis.call('HMGET', P .. ':ix:' .. id, 'state', 'reserved', 'offered_ms')
          if f[1] ~= 'queued' then
            stale = stale + 1
          else
            local skipped = {}
            local flat = redis.call('ZRANGEBYSCORE', P .. ':skip:' .. id, '(' .. now, '+inf')
            for k = 1, #flat do
              skipped[flat[k]] = true
            end
            for _, agent in ipairs(cands) do
              -- Work reserved for its preferred agent waits for that agent alone.
              if not skipped[agent] and (not f[2] or f[2] == agent) then
                pairs_out[#pairs_out + 1] = {agent, id, agent_epoch(agent) .. '/' .. (f[3] or '0'),
                  now - queued_ms}
              end
            end
          end
        end
      end
    end
  end
end
local ended = redis.call('TIME')
local exec_us = (tonumber(ended[1]) - tonumber(started[1])) * 1000000 + tonumber(ended[2]) -
  tonumber(started[2])
return {pairs_out, {n_free, looked, waiting, stale, exec_us}}
