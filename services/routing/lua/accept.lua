-- Accepts an open offer: the interaction becomes assigned to the agent.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] agent  ARGV[4] now ms  ARGV[5] event feed max length
-- Returns {'ok', wait ms, queue, queue SLA threshold ms, field, value, ...} (the interaction's
-- hash as it is now, so the caller needs no second round trip) | {'not_found'}
-- | {'not_offered', state} | {'wrong_agent'}
--- @include "context"
--- @include "keys"
--- @include "defaults"
--- @include "emit"
--- @include "kv_to_table"
--- @include "queue_config"
local P, id, agent, now, maxlen = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local c = new_context(P, now, maxlen, 0, 'accept')
local ix = KEYS[1]
local flat = redis.call('HGETALL', ix)
if #flat == 0 then
  return {'not_found'}
end
local f = kv_to_table(flat)
if f.state ~= 'offered' then
  return {'not_offered', f.state or ''}
end
if f.agent ~= agent then
  return {'wrong_agent'}
end
local q, ch = f.queue, f.channel
-- Remember who served the customer: its next interaction prefers this agent (a bot serving
-- deflected work in the self-service queue is not remembered).
if f.customer and f.customer ~= '' and f.ss_queue ~= q then
  redis.call('HSET', K.cust(P, f.customer), 'agent', agent)
  redis.call('EXPIRE', K.cust(P, f.customer), D.last_agent_ttl)
end
redis.call('HSET', ix, 'state', 'assigned', 'assigned_ms', now, 'deadline_ms', 0)
redis.call('ZREM', K.timers(P), id)
local conf = queue_config(c, q)
if not conf or conf.nvq > 0 then
  redis.call('ZREM', K.steps(P), id)  -- only a queue with bullseye steps arms step timers
end
redis.call('HSET', K.agent(P, agent), 'missed', 0)
local wait = now - tonumber(f.queued_ms or now)
local sla_ms = conf and conf.sla_ms or 0
redis.call('HINCRBY', K.qs(P, q), 'answered', 1)
if wait <= sla_ms then
  redis.call('HINCRBY', K.qs(P, q), 'answered_sla', 1)
end
emit(c, 'accepted', id, agent, q, ch, {'wait_ms', tostring(wait)})
f.state, f.assigned_ms, f.deadline_ms = 'assigned', tostring(now), '0'
local reply = {'ok', tostring(wait), q, tostring(sla_ms)}
for field, value in pairs(f) do
  reply[#reply + 1] = field
  reply[#reply + 1] = value
end
return reply
