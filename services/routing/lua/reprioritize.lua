-- Changes the priority of an interaction that has not ended. A waiting one is re-scored in
-- place (score = its first queued time - the new priority's head start, so it keeps its age)
-- and matched at once; one not yet queued, offered or assigned keeps the new priority for
-- when it (re)enters the queue.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] priority 1..4  ARGV[4] now ms  ARGV[5] event feed max length
-- Returns {'ok', old priority} | {'not_found'} | {'ended', state}
--- @include "context"
--- @include "keys"
--- @include "defaults"
--- @include "events"
--- @include "steps"
--- @include "scoring"
--- @include "match"
local P, id, prio, now, maxlen = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local c = new_context(P, now, maxlen, 0, 'reprioritize')
local ix = KEYS[1]
local f = redis.call('HMGET', ix, 'state', 'priority', 'queue', 'channel', 'queued_ms', 'sig',
  'boost')
local state, old, q, ch, queued_ms, sig, boost = f[1], f[2], f[3], f[4], f[5], f[6], f[7]
if not state then
  return {'not_found'}
end
if state == 'completed' or state == 'canceled' or state == 'rejected' then
  return {'ended', state}
end
if state == 'received' then
  -- Classification has not run yet: the requested priority overrides its result.
  redis.call('HSET', ix, 'req_priority', prio)
else
  redis.call('HSET', ix, 'priority', prio)
end
if queued_ms then
  local score = order_score(c, q, prio, queued_ms, boost)
  redis.call('HSET', ix, 'score', score)
  local reserved = redis.call('HGET', ix, 'reserved')
  if reserved then
    redis.call('ZADD', K.pref(P, reserved), score, id)
  elseif state == 'queued' then
    redis.call('ZADD', K.waiting(P, routing_queue(c, id, q), ch, sig or '0'), score, id)
  end
end
emit(c, 'reprioritized', id, '', q or '', ch or '', {'priority', tostring(prio),
  'from', old or ''})
if state == 'queued' then
  match(c, q, ch, D.match_budget)
end
return {'ok', old or ''}
