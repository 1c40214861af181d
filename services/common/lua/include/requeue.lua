--- @include "keys"
--- @include "queue_config"
--- @include "order_score"
--- @include "step_reached"
--- @include "schedule_step"
--- @include "waiting_add"
-- Puts an offered interaction back in its queue, ordered by its first queued time (less its
-- priority's head start) and at the bullseye step its wait has reached (config changes while
-- it was offered apply now). `item` is the interaction as read. Returns its queue, channel.
local function requeue(c, item)
  local P, id = c.P, item.id
  local q, ch, queued_ms = item.queue, item.channel, tonumber(item.queued_ms)
  local conf = queue_config(c, q)
  local _, score = order_score(c, conf, item.priority, queued_ms, item.boost)
  local step = string.format('%d', step_reached(c, conf, c.now - queued_ms))
  redis.call('HSET', K.ix(P, id), 'score', score, 'step', step, 'state', 'queued', 'agent', '',
    'deadline_ms', '0')
  item.score, item.step, item.state, item.agent = score, step, 'queued', ''
  schedule_step(c, id, conf, queued_ms, step, true)
  waiting_add(c, item, q, ch, score, item.queued_ms, item.sig or '0', item.skills or '{}')
  redis.call('HINCRBY', K.qs(P, q), 'inflight', -1)
  redis.call('ZREM', K.timers(P), id)
  return q, ch
end
