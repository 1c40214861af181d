-- Logs an agent in or out or changes its state; replaces skills and capacities when given;
-- recomputes the queues it is eligible for and offers it work it can take now.
-- KEYS[1] P:ag:<agent>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] agent  ARGV[3] state (offline|available|away)  ARGV[4] now ms
-- ARGV[5] skills json object ('' = keep)  ARGV[6] capacities json object ('' = keep)
-- ARGV[7] event feed max length
-- Returns the list of eligible queues.
TRIGGER = 'agent_state'
local P, agent, state, now, skills_s, caps_s, maxlen = ARGV[1], ARGV[2], ARGV[3],
  tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7]
local akey = KEYS[1]
local prev = redis.call('HGET', akey, 'state')
redis.call('SADD', P .. ':agents', agent)
agent_unindex(P, agent)
if skills_s ~= '' then
  -- Replace the skills, and the agent's entries in the per-skill indexes.
  for _, skill in ipairs(redis.call('HKEYS', P .. ':agsk:' .. agent)) do
    redis.call('ZREM', P .. ':sk:' .. skill, agent)
  end
  redis.call('DEL', P .. ':agsk:' .. agent)
  for skill, prof in pairs(cjson.decode(skills_s)) do
    redis.call('HSET', P .. ':agsk:' .. agent, skill, prof)
    redis.call('ZADD', P .. ':sk:' .. skill, prof, agent)
  end
end
if caps_s ~= '' then
  for _, field in ipairs(redis.call('HKEYS', akey)) do
    if string.sub(field, 1, 4) == 'cap:' then
      redis.call('HDEL', akey, field)
    end
  end
  for ch, max in pairs(cjson.decode(caps_s)) do
    redis.call('HSET', akey, 'cap:' .. ch, max)
  end
end
if prev ~= state then
  redis.call('HSET', akey, 'idle_ms', now)
end
redis.call('HSET', akey, 'state', state)
if state == 'available' then
  redis.call('HSET', akey, 'missed', 0)
end
-- Recompute skill eligibility over the tenant's queues (a handful; not on the per-item path).
local qset = P .. ':agq:' .. agent
redis.call('DEL', qset)
local eligible = {}
for _, q in ipairs(redis.call('SMEMBERS', P .. ':queues')) do
  if skills_ok(P, agent, queue_skills(P, q)) then
    redis.call('SADD', qset, q)
    eligible[#eligible + 1] = q
  end
end
agent_refresh(P, agent)
emit(P, maxlen, now, 'agent_state', '', agent, '', '', {'state', state, 'from', prev or '',
  'skills_changed', skills_s ~= '' and '1' or '0', 'capacity_changed', caps_s ~= '' and '1' or '0'})
if state == 'available' then
  match_agent(P, maxlen, now, agent)
end
table.sort(eligible)
return eligible
