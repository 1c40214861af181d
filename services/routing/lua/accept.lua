-- Accepts an open offer: the interaction becomes assigned to the agent.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] agent  ARGV[4] now ms  ARGV[5] event feed max length
-- Returns {'ok', wait ms, queue, queue SLA threshold ms} (also to a retry by the agent it is
-- already assigned to, changing nothing) | {'not_found'}
-- | {'not_offered', state} | {'wrong_agent'}
-- (AcceptOffer pipelines an HGETALL of the interaction after it: one round trip, and the hash
-- goes to the client without passing through Lua.)
--- @include "read_held"
--- @include "context"
--- @include "keys"
--- @include "defaults"
--- @include "emit"
--- @include "queue_config"
--- @include "fmt_int"
local P, id, agent, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[5]
local c = new_context(P, ARGV[4], maxlen, 0, 'accept')
local now = c.now
local ix = KEYS[1]
local f, refusal = read_held(ix, 'offered', agent, 'queue', 'channel', 'queued_ms', 'customer',
  'ss_queue')
if refusal then
  -- A retried accept whose first attempt succeeded (its answer was lost) answers as it did.
  if f[1] == 'assigned' and f[2] == agent then
    local conf = queue_config(c, f[3])
    local at = tonumber(redis.call('HGET', ix, 'assigned_ms') or now)
    return {'ok', at - tonumber(f[5] or at), f[3], conf and conf.sla_ms or 0}
  end
  return refusal
end
local q, ch, customer = f[3], f[4], f[6]
-- Remember who served the customer: its next interaction prefers this agent (a bot serving
-- deflected work in the self-service queue is not remembered).
if customer and customer ~= '' and f[7] ~= q then
  local cust = K.cust(P, customer)
  redis.call('HSET', cust, 'agent', agent)
  redis.call('EXPIRE', cust, D.last_agent_ttl_s)
end
redis.call('HSET', ix, 'state', 'assigned', 'assigned_ms', c.now_s, 'deadline_ms', '0')
redis.call('ZREM', K.timers(P), id)
local conf = queue_config(c, q)
if not conf or conf.nvq > 0 then
  redis.call('ZREM', K.steps(P), id)  -- only a queue with bullseye steps arms step timers
end
redis.call('HSET', K.agent(P, agent), 'missed', '0')
local wait = now - tonumber(f[5] or now)
local sla_ms = conf and conf.sla_ms or 0
local qs = K.qs(P, q)
redis.call('HINCRBY', qs, 'answered', '1')
if wait <= sla_ms then
  redis.call('HINCRBY', qs, 'answered_sla', '1')
end
emit(c, 'accepted', id, agent, q, ch, {'wait_ms', fmt_int(wait)})
return {'ok', wait, q, sla_ms}
