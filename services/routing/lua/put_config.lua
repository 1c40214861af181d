-- Replaces the tenant config and bumps its version. Agents following a capacity profile get
-- its new capacities at once; when the head starts change, work already waiting is re-scored
-- in the background (P:rescore); when the exclusive channels change, agents are re-indexed.
-- KEYS[1] P:cfg
-- ARGV[1] serialized TenantConfig (without version)  ARGV[2..5] head start s for P1..P4
-- ARGV[6] max missed offers  ARGV[7] exclusive channels csv ('' = none)
-- ARGV[8] P  ARGV[9] now ms  ARGV[10] event feed max length
-- ARGV[11] capacity profiles json {name: {channel: max}} ('{}' = none)
-- ARGV[12] value boost bound s (0 = none)  ARGV[13] conversation window s (0 = none)
-- Returns the new version.
--- @include "context"
--- @include "keys"
--- @include "kv_to_table"
--- @include "queue_config"
--- @include "agent_read"
--- @include "agent_unindex"
--- @include "agent_reindex"
--- @include "match_agent"
local P, now, maxlen = ARGV[8], tonumber(ARGV[9]), ARGV[10]
local c = new_context(P, now, maxlen, 0, 'config_change')
local old = redis.call('HMGET', KEYS[1], 'head:1', 'head:2', 'head:3', 'head:4', 'exclusive')
-- Agents whose index entries may change: all of them when the exclusive channels change, and
-- those following a capacity profile whose capacities change. They leave every index before
-- the change and are indexed anew after it.
local touched = {}
if (old[5] or '1') ~= ARGV[7] then
  for _, agent in ipairs(redis.call('SMEMBERS', K.agents(P))) do
    touched[agent] = true
  end
end
local profiles = cjson.decode(ARGV[11])
local function canonical(t)
  local keys = {}
  for k, _ in pairs(t) do
    keys[#keys + 1] = k
  end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    out[#out + 1] = k .. '=' .. tostring(t[k])
  end
  return table.concat(out, ',')
end
local changed = {}
for name, caps in pairs(profiles) do
  local pkey = K.capprof(P, name)
  if canonical(kv_to_table(redis.call('HGETALL', pkey))) ~= canonical(caps) then
    changed[name] = redis.call('SMEMBERS', K.profag(P, name))
    for _, agent in ipairs(changed[name]) do
      touched[agent] = true
    end
  end
end
for agent, _ in pairs(touched) do
  agent_unindex(c, agent)
end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'proto', ARGV[1], 'head:1', ARGV[2], 'head:2', ARGV[3], 'head:3',
  ARGV[4], 'head:4', ARGV[5], 'max_missed', ARGV[6], 'exclusive', ARGV[7], 'boost_max',
  ARGV[12], 'conv_window', ARGV[13])
-- Capacity profiles (P:capprofs: their names): rewrite the changed ones and the capacities of
-- the agents following them. Agents of a deleted profile keep the capacities they had.
for _, name in ipairs(redis.call('SMEMBERS', K.capprofs(P))) do
  if not profiles[name] then
    for _, agent in ipairs(redis.call('SMEMBERS', K.profag(P, name))) do
      redis.call('HDEL', K.agent(P, agent), 'profile')
    end
    redis.call('DEL', K.capprof(P, name), K.profag(P, name))
    redis.call('SREM', K.capprofs(P), name)
  end
end
for name, caps in pairs(profiles) do
  local pkey = K.capprof(P, name)
  redis.call('DEL', pkey)
  for ch, max in pairs(caps) do
    redis.call('HSET', pkey, ch, max)
  end
  redis.call('SADD', K.capprofs(P), name)
  for _, agent in ipairs(changed[name] or {}) do
    local akey = K.agent(P, agent)
    for _, field in ipairs(redis.call('HKEYS', akey)) do
      if string.sub(field, 1, 4) == 'cap:' then
        redis.call('HDEL', akey, field)
      end
    end
    for ch, max in pairs(caps) do
      redis.call('HSET', akey, 'cap:' .. ch, max)
    end
  end
end
c.tenant, c.agent = nil, {}
for agent, _ in pairs(touched) do
  c.entries = c.entries or {}
  c.entries[agent] = {}
  agent_reindex(c, agent)
end
for agent, _ in pairs(touched) do
  local a = agent_get(c, agent)
  if a and a.state == 'available' then
    match_agent(c, agent, nil)
  end
end
-- New head starts reach the work already waiting.
if old[1] ~= ARGV[2] or old[2] ~= ARGV[3] or old[3] ~= ARGV[4] or old[4] ~= ARGV[5] then
  for _, q in ipairs(redis.call('SMEMBERS', K.queues(P))) do
    local conf = queue_config(c, q)
    for _, ch in ipairs(conf and conf.channels or {}) do
      if redis.call('ZCARD', K.age(P, q, ch)) > 0 then
        redis.call('HSET', K.rescore(P), q .. '|' .. ch, '')
      end
    end
  end
end
return version
