--- @include "keys"
--- @include "defaults"
--- @include "emit"
--- @include "queue_config"
--- @include "item_read"
--- @include "unreserve"
--- @include "waiting_remove"
--- @include "waiting_add"
--- @include "admit"
--- @include "order_score"
--- @include "schedule_step"
--- @include "reject_by_policy"
--- @include "match"
-- Moves interactions that waited longer than their queue's max wait to its overflow queue
-- (waiting starts again there) or ends them as rejected (max_wait_exceeded).
local function expire_waits(c, limit)
  local P, now = c.P, c.now
  local due = redis.call('ZRANGEBYSCORE', K.maxwait(P), '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', K.maxwait(P), id)
    local item = item_read(c, id)
    if item and item.state == 'queued' then
      local q, ch, sig = item.queue, item.channel, item.sig or '0'
      if item.reserved then
        unreserve(c, id, item.reserved)
        redis.call('ZREM', K.age(P, q, ch), id)
      else
        waiting_remove(c, item, q, ch, sig)
      end
      local target, reason = admit(c, q, ch, 'max_wait_exceeded')
      if target then
        local conf = queue_config(c, target)
        local _, score = order_score(c, conf, item.priority, now, item.boost)
        redis.call('HSET', K.ix(P, id), 'queue', target, 'queued_ms', c.now_s, 'score', score,
          'step', '0')
        item.queue, item.queued_ms, item.score, item.step = target, c.now_s, score, '0'
        schedule_step(c, id, conf, now, 0, true)
        waiting_add(c, item, target, ch, score, c.now_s, sig, item.skills or '{}')
        emit(c, 'overflowed', id, '', target, ch, {'from', q, 'reason', 'max_wait'})
        if conf.max_wait_ms > 0 then
          redis.call('ZADD', K.maxwait(P), string.format('%d', now + conf.max_wait_ms), id)
        end
        match(c, target, ch, D.match_budget)
      else
        redis.call('HINCRBY', K.qs(P, q), 'expired', 1)
        redis.call('ZREM', K.steps(P), id)
        reject_by_policy(c, item, q, ch, reason)
      end
    end
  end
  return #due
end
