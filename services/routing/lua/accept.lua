-- Accepts an open offer: the interaction becomes assigned to the agent.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] agent  ARGV[4] now ms  ARGV[5] event feed max length
-- Returns {'ok', wait ms, queue, queue SLA threshold ms} | {'not_found'} | {'not_offered', state} | {'wrong_agent'}
--- @include "context"
--- @include "keys"
--- @include "defaults"
--- @include "events"
local P, id, agent, now, maxlen = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local c = new_context(P, now, maxlen, 0, 'accept')
local ix = KEYS[1]
local f = redis.call('HMGET', ix, 'state', 'agent', 'queue', 'channel', 'queued_ms')
if not f[1] then
  return {'not_found'}
end
if f[1] ~= 'offered' then
  return {'not_offered', f[1]}
end
if f[2] ~= agent then
  return {'wrong_agent'}
end
local q, ch = f[3], f[4]
-- Remember who served the customer: its next interaction prefers this agent (a bot serving
-- deflected work in the self-service queue is not remembered).
local g = redis.call('HMGET', ix, 'customer', 'ss_queue')
local customer = g[1]
if customer and customer ~= '' and g[2] ~= q then
  redis.call('HSET', K.cust(P, customer), 'agent', agent)
  redis.call('EXPIRE', K.cust(P, customer), D.last_agent_ttl)
end
redis.call('HSET', ix, 'state', 'assigned', 'assigned_ms', now, 'deadline_ms', 0)
redis.call('ZREM', K.timers(P), id)
redis.call('ZREM', K.steps(P), id)
redis.call('HSET', K.agent(P, agent), 'missed', 0)
local wait = now - tonumber(f[5] or now)
local sla_ms = tonumber(redis.call('HGET', K.qc(P, q), 'sla_ms') or '0')
redis.call('HINCRBY', K.qs(P, q), 'answered', 1)
if wait <= sla_ms then
  redis.call('HINCRBY', K.qs(P, q), 'answered_sla', 1)
end
emit(c, 'accepted', id, agent, q, ch, {'wait_ms', tostring(wait)})
return {'ok', tostring(wait), q, tostring(sla_ms)}
