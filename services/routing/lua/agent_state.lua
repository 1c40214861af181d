-- Logs an agent in or out or changes its state; replaces skills and capacities when given;
-- recomputes the queues it is eligible for and offers it work it can take now. Logging out or
-- going away withdraws its open offers and offers that work to others. Keeps the agent in
-- ListAgents' indexes (agent_lists.lua, through agent_memberships).
-- KEYS[1] P:ag:<agent>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] agent  ARGV[3] state (offline|available|away)  ARGV[4] now ms
-- ARGV[5] skills json object ('' = keep)  ARGV[6] capacities json object ('' = keep)
-- ARGV[7] event feed max length  ARGV[8] capacity profile ('' = keep)
-- ARGV[9] why an away agent is away (kept in its hash as 'away_reason' while it is away; '' when
-- not away)
-- Returns the list of eligible queues (none for an agent logging out), led by '!no_capacity'
-- for an available agent without capacity, or {'!unknown_profile'} (nothing changed; '!' is
-- never in a queue name).
--- @include "context"
--- @include "keys"
--- @include "kv_to_table"
--- @include "emit"
--- @include "agent_read"
--- @include "agent_unindex"
--- @include "memberships"
--- @include "agent_reindex"
--- @include "match_agent"
--- @include "match"
--- @include "defaults"
--- @include "rescind_offers"
--- @include "run_table"
local P, agent, state, now, skills_s, caps_s, maxlen = ARGV[1], ARGV[2], ARGV[3],
  tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7]
local profile = ARGV[8]
local c = new_context(P, now, maxlen, 0, 'agent_state')
local akey = KEYS[1]
if profile ~= '' then
  local caps = redis.call('HGETALL', K.capprof(P, profile))
  if #caps == 0 then
    return {'!unknown_profile'}
  end
  caps_s = cjson.encode(kv_to_table(caps))
end
-- Logging out or going away withdraws the agent's open offers now (re-offered below).
local rescinded = (state == 'offline' or state == 'away') and
  rescind_offers(c, agent, 'agent_' .. state) or {}
local a = agent_get(c, agent) or {}
local prev = a.state
redis.call('SADD', K.agents(P), agent)
-- Out of every index first (whatever it had); memberships and entries are then written anew.
agent_unindex(c, agent)
run_table(c, 'entries')[agent] = {}
if skills_s ~= '' or not a.skv then
  -- Replace the skills: P:agsk:<a>, the per-skill indexes, and the copy in the agent's hash
  -- (sk:<name>, read with it on the routing paths).
  local skills = skills_s ~= '' and cjson.decode(skills_s) or
    kv_to_table(redis.call('HGETALL', K.agent_skills(P, agent)))
  for name, _ in pairs(a.sk or {}) do  -- (agent_read.lua keeps sk:<name> fields in a.sk)
    redis.call('HDEL', akey, 'sk:' .. name)
  end
  if skills_s ~= '' then
    for _, skill in ipairs(redis.call('HKEYS', K.agent_skills(P, agent))) do
      redis.call('ZREM', K.skill(P, skill), agent)
    end
    redis.call('DEL', K.agent_skills(P, agent))
  end
  local copy = {'skv', 1}
  for skill, prof in pairs(skills) do
    if skills_s ~= '' then
      redis.call('HSET', K.agent_skills(P, agent), skill, prof)
      redis.call('ZADD', K.skill(P, skill), prof, agent)
    end
    copy[#copy + 1] = 'sk:' .. skill
    copy[#copy + 1] = prof
  end
  redis.call('HSET', akey, unpack(copy))
  if c.skills then
    c.skills[agent] = nil
  end
end
if caps_s ~= '' then
  -- Own capacities end a profile link; a profile sets one.
  if a.profile and a.profile ~= profile then
    redis.call('SREM', K.profag(P, a.profile), agent)
    redis.call('HDEL', akey, 'profile')
  end
  if profile ~= '' then
    redis.call('HSET', akey, 'profile', profile)
    redis.call('SADD', K.profag(P, profile), agent)
  end
  for ch, _ in pairs(a.cap or {}) do  -- (and cap:<ch> fields in a.cap)
    redis.call('HDEL', akey, 'cap:' .. ch)
  end
  for ch, max in pairs(cjson.decode(caps_s)) do
    redis.call('HSET', akey, 'cap:' .. ch, max)
  end
end
if prev ~= state then
  redis.call('HSET', akey, 'idle_ms', now)
end
-- 'away_reason' only while away for a reason: every offer and completion reads this hash.
if state == 'away' and ARGV[9] ~= '' then
  redis.call('HSET', akey, 'state', state, 'away_reason', ARGV[9])
else
  redis.call('HSET', akey, 'state', state)
  if a.away_reason then
    redis.call('HDEL', akey, 'away_reason')
  end
end
if state == 'available' then
  redis.call('HSET', akey, 'missed', 0)
end
c.agent[agent] = nil
-- Recompute skill eligibility over the tenant's queues (a handful; not on the per-item path).
local eligible = agent_memberships(c, agent, prev)
agent_reindex(c, agent)
-- The new skills and capacities (json) go with the flags: a recorded workload replays them.
emit(c, 'agent_state', '', agent, '', '', {'state', state, 'from', prev or '',
  'skills_changed', skills_s ~= '' and '1' or '0', 'capacity_changed',
  caps_s ~= '' and '1' or '0', 'profile', profile, 'skills', skills_s, 'capacity', caps_s})
if state == 'available' then
  match_agent(c, agent, nil)
end
for _, pair in ipairs(rescinded) do
  match(c, pair[1], pair[2], D.match_budget)
end
if state == 'offline' then
  return {}  -- a logged-out agent serves no queue (its memberships wait for its return)
end
table.sort(eligible)
if state == 'available' then
  local room = false
  for _, n in pairs((agent_get(c, agent) or {}).cap or {}) do
    room = room or n > 0
  end
  if not room then
    table.insert(eligible, 1, '!no_capacity')  -- (the caller warns: it is offered nothing)
  end
end
return eligible
