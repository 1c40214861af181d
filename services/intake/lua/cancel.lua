-- Cancels an interaction that is not yet assigned. Idempotent: a terminal interaction is left
-- as it is and its state returned.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] now ms  ARGV[4] reason  ARGV[5] event feed max length
-- ARGV[6] retention seconds of finished interactions
-- Returns {'canceled', state_before, queue, channel} (queue '' unless it was waiting or offered:
-- abandoned) | {'terminal', state} | {'assigned', state} | {'not_found', ''}
--- @include "item_open"
--- @include "context"
--- @include "keys"
--- @include "emit"
--- @include "item_read"
--- @include "waiting_remove"
--- @include "unreserve"
--- @include "push_rescind"
--- @include "release"
--- @include "match_agent"
local P, id, now, reason, maxlen, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5],
  ARGV[6]
local c = new_context(P, now, maxlen, ttl, 'cancel')
local ix = KEYS[1]
local item, ended = item_open(c, id)
if not item then
  return ended and {'terminal', ended} or {'not_found', ''}
end
local state, q, ch, agent = item.state, item.queue, item.channel, item.agent
if state == 'assigned' then
  return {'assigned', state}
end
if state == 'queued' then
  waiting_remove(c, item, q, ch, item.sig or '0')
  if item.reserved then
    unreserve(c, id, item.reserved)
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
if item.skipped then
  redis.call('DEL', K.skip(P, id))
end
redis.call('ZREM', K.steps(P), id)
emit(c, 'canceled', id, agent or '', q or '', ch or '', {'reason', reason, 'from', state})
if state == 'offered' then
  match_agent(c, agent, release(c, agent, ch))
end
local abandoned_q = ''
if state == 'queued' or state == 'offered' then
  abandoned_q = q or ''
end
return {'canceled', state, abandoned_q, ch or ''}
