--- @include "keys"
--- @include "defaults"
--- @include "emit"
--- @include "queue_config"
--- @include "item_read"
--- @include "order_score"
--- @include "step_reached"
--- @include "step_queue"
--- @include "schedule_step"
--- @include "move_step"
--- @include "rescore_items"
--- @include "drop_retired_steps"
--- @include "match"
-- Re-scores up to `budget` waiting interactions of one (queue, channel) listed in P:rescore
-- after a config change: new head starts give a new order score, new steps a new step queue.
-- Walks P:qt:<q>:<ch> in (queued time, id) order from the saved cursor, so each call costs
-- O(budget x log n) and work enqueued after the change (scored by the new config) is passed
-- over cheaply. Returns the number of interactions looked at.
local function rescore_chunk(c, budget)
  local P, now = c.P, c.now
  local field = redis.call('HRANDFIELD', K.rescore(P))
  if not field then
    return 0
  end
  local q, ch = string.match(field, '^(.*)|(%d+)$')
  local conf = queue_config(c, q)
  local items, tie_cursor, tie_seen = rescore_items(K.age(P, q, ch),
    redis.call('HGET', K.rescore(P), field) or '', budget)
  if tie_cursor then
    redis.call('HSET', K.rescore(P), field, tie_cursor)
    return tie_seen
  end
  for i = 1, #items, 2 do
    local item = item_read(c, items[i])
    if item and item.state == 'queued' and conf then
      local id, queued_ms = item.id, tonumber(item.queued_ms)
      local score_n, score = order_score(c, conf, item.priority, queued_ms, item.boost)
      local step = step_reached(c, conf, now - queued_ms)
      if item.reserved then
        redis.call('HSET', K.ix(P, id), 'score', score, 'step', step)
        redis.call('ZADD', K.pref(P, item.reserved), score, id)
      elseif step ~= tonumber(item.step or '0') then
        redis.call('HSET', K.ix(P, id), 'score', score)
        item.score = score
        move_step(c, item, q, ch, score, step)
      elseif score_n ~= tonumber(item.score) then
        redis.call('HSET', K.ix(P, id), 'score', score)
        redis.call('ZADD', K.waiting(P, step_queue(q, step), ch, item.sig or '0'), score, id)
      end
      schedule_step(c, id, conf, queued_ms, step, true)
    end
  end
  local seen = #items / 2
  if seen < budget then
    redis.call('HDEL', K.rescore(P), field)
    emit(c, 'rescored', '', '', q, ch, nil)
    if conf then
      drop_retired_steps(c, q)
    end
  else
    redis.call('HSET', K.rescore(P), field, items[#items] .. '|' .. items[#items - 1])
  end
  match(c, q, ch, D.match_budget, 'rescore')
  return seen
end
