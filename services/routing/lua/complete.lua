-- Finishes an assigned interaction, frees the agent's capacity and offers it more work.
-- Deflected work finished in its self-service queue counts as deflected there.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] agent  ARGV[4] now ms  ARGV[5] event feed max length
-- ARGV[6] retention seconds of finished interactions
-- Returns {'ok', 'ok'|'deflected', queue, handle ms (assigned to now), wrap-up ms}
-- | {'not_found'} | {'not_assigned', state}
-- | {'wrong_agent'}
--- @include "context"
--- @include "keys"
--- @include "events"
--- @include "release"
--- @include "match_agent"
local P, id, agent, now, maxlen, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5],
  ARGV[6]
local c = new_context(P, now, maxlen, ttl, 'complete')
local ix = KEYS[1]
local f = redis.call('HMGET', ix, 'state', 'agent', 'queue', 'channel', 'ss_queue', 'assigned_ms')
if not f[1] then
  return {'not_found'}
end
if f[1] ~= 'assigned' then
  return {'not_assigned', f[1]}
end
if f[2] ~= agent then
  return {'wrong_agent'}
end
local wrap_ms = tonumber(redis.call('HGET', K.qc(P, f[3]), 'wrap_ms') or '0')
redis.call('HSET', ix, 'state', 'completed', 'ended_ms', now)
redis.call('EXPIRE', ix, ttl)
redis.call('DEL', K.skip(P, id))
redis.call('HINCRBY', K.qs(P, f[3]), 'completed', 1)
local outcome = 'ok'
local handle_ms = math.max(0, now - tonumber(f[6] or now))
-- Average handle time, exponentially weighted (weight 0.1 for the newest): the estimated wait
-- gauge uses it.
local aht = tonumber(redis.call('HGET', K.qs(P, f[3]), 'aht_ms') or '')
if aht then
  aht = aht + 0.1 * (handle_ms - aht)
else
  aht = handle_ms
end
redis.call('HSET', K.qs(P, f[3]), 'aht_ms', string.format('%.1f', aht))
if f[5] == f[3] then
  -- Deflected work finished in self-service: resolved without a human.
  redis.call('HINCRBY', K.qs(P, f[3]), 'deflected', 1)
  outcome = 'deflected'
end
redis.call('HINCRBY', K.qs(P, f[3]), 'inflight', -1)
emit(c, 'completed', id, agent, f[3], f[4], nil)
if wrap_ms > 0 then
  -- After-call work holds the capacity until the wrap-up timer fires (end_wrapups.lua).
  redis.call('ZADD', K.wrapups(P), now + wrap_ms, agent .. '|' .. f[4] .. '|' .. id)
  emit(c, 'wrap_up_started', id, agent, f[3], f[4], {'until', now + wrap_ms})
  return {'ok', outcome, f[3], tostring(handle_ms), tostring(wrap_ms)}
end
release(c, agent, f[4])
match_agent(c, agent)
return {'ok', outcome, f[3], tostring(handle_ms), '0'}
