-- Changes the priority of an interaction that has not ended. A waiting one is re-scored in
-- place (score = its first queued time - the new priority's head start, so it keeps its age)
-- and matched at once; one not yet queued, offered or assigned keeps the new priority for
-- when it (re)enters the queue.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] priority 1..4  ARGV[4] now ms  ARGV[5] event feed max length
-- Returns {'ok', old priority} | {'not_found'} | {'ended', state}
--- @include "item_open"
--- @include "context"
--- @include "keys"
--- @include "defaults"
--- @include "emit"
--- @include "item_read"
--- @include "queue_config"
--- @include "order_score"
--- @include "step_queue"
--- @include "match"
local P, id, prio, now, maxlen = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local c = new_context(P, now, maxlen, 0, 'reprioritize')
local ix = KEYS[1]
local item, ended = item_open(c, id)
if not item then
  return ended and {'ended', ended} or {'not_found'}
end
local state, old, q, ch = item.state, item.priority, item.queue, item.channel
if state == 'received' then
  -- Classification has not run yet: the requested priority overrides its result.
  redis.call('HSET', ix, 'req_priority', prio)
else
  redis.call('HSET', ix, 'priority', prio)
end
local conf = item.queued_ms and queue_config(c, q)
if conf then
  local score = order_score(c, conf, prio, item.queued_ms, item.boost)
  redis.call('HSET', ix, 'score', score)
  if item.reserved then
    redis.call('ZADD', K.pref(P, item.reserved), score, id)
  elseif state == 'queued' then
    redis.call('ZADD', K.waiting(P, step_queue(q, item.step), ch, item.sig or '0'), score, id)
  end
end
emit(c, 'reprioritized', id, '', q or '', ch or '', {'priority', tostring(prio),
  'from', old or ''})
if state == 'queued' then
  match(c, q, ch, D.match_budget)
end
return {'ok', old or ''}
