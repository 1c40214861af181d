--- @include "keys"
--- @include "defaults"
--- @include "emit"
--- @include "queue_config"
--- @include "item_read"
--- @include "step_reached"
--- @include "schedule_step"
--- @include "move_step"
--- @include "match"
-- Opens the bullseye steps whose wait threshold has passed: the interaction moves to the
-- step queue of the furthest step reached, where more agents may take it, and is matched at
-- once. Offered or reserved work only records its step (it enters that step queue if it
-- comes back). Idempotent like every timer: the ZREM decides.
local function advance_steps(c, limit)
  local P = c.P
  local due = redis.call('ZRANGEBYSCORE', K.steps(P), '-inf', c.now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    local item = redis.call('ZREM', K.steps(P), id) == 1 and item_read(c, id)
    if item and (item.state == 'queued' or item.state == 'offered') then
      local q, ch, queued_ms = item.queue, item.channel, tonumber(item.queued_ms)
      local conf = queue_config(c, q)
      local step = tonumber(item.step or '0')
      local reached = step_reached(c, conf, c.now - queued_ms)
      if reached ~= step then
        if item.state == 'queued' and not item.reserved then
          move_step(c, item, q, ch, tonumber(item.score), reached)
        else
          redis.call('HSET', K.ix(P, id), 'step', reached)
        end
        emit(c, 'step_opened', id, '', q, ch, {'step', tostring(reached)})
      end
      schedule_step(c, id, conf, queued_ms, reached, true)
      if item.state == 'queued' then
        match(c, q, ch, D.match_budget, 'step_opened')
      end
    end
  end
  return #due
end
