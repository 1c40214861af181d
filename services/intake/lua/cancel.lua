-- Cancels an interaction that is not yet assigned. Idempotent: a terminal interaction is left
-- as it is and its state returned.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] now ms  ARGV[4] reason  ARGV[5] event feed max length
-- ARGV[6] retention seconds of finished interactions
-- Returns {'canceled', state_before, queue, channel} (queue '' unless it was waiting or offered:
-- abandoned) | {'terminal', state} | {'assigned', state} | {'not_found', ''}
--- @include "context"
--- @include "keys"
--- @include "events"
--- @include "waiting"
--- @include "reserve"
--- @include "release"
--- @include "match_agent"
local P, id, now, reason, maxlen, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5],
  ARGV[6]
local c = new_context(P, now, maxlen, ttl, 'cancel')
local ix = KEYS[1]
local f = redis.call('HMGET', ix, 'state', 'queue', 'channel', 'agent', 'sig')
local state, q, ch, agent, sig = f[1], f[2], f[3], f[4], f[5] or '0'
if not state then
  return {'not_found', ''}
end
if state == 'completed' or state == 'canceled' or state == 'rejected' then
  return {'terminal', state}
end
if state == 'assigned' then
  return {'assigned', state}
end
if state == 'queued' then
  waiting_remove(c, q, ch, id, sig)
  local reserved = redis.call('HGET', ix, 'reserved')
  if reserved then
    unreserve(c, id, reserved)
  end
  redis.call('HINCRBY', K.qs(P, q), 'abandoned', 1)
elseif state == 'offered' then
  redis.call('ZREM', K.timers(P), id)
  push_rescind(c, agent, id, 'canceled')
  redis.call('HINCRBY', K.qs(P, q), 'abandoned', 1)
  redis.call('HINCRBY', K.qs(P, q), 'inflight', -1)
end
redis.call('HSET', ix, 'state', 'canceled', 'ended_ms', now, 'end_reason', reason, 'agent', '',
  'deadline_ms', 0)
redis.call('EXPIRE', ix, ttl)
redis.call('DEL', K.skip(P, id))
redis.call('ZREM', K.steps(P), id)
emit(c, 'canceled', id, agent or '', q or '', ch or '', {'reason', reason,
  'from', state})
if state == 'offered' then
  release(c, agent, ch)
  match_agent(c, agent)
end
local abandoned_q = ''
if state == 'queued' or state == 'offered' then
  abandoned_q = q or ''
end
return {'canceled', state, abandoned_q, ch or ''}
