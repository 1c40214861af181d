--- @include "keys"
--- @include "waiting_remove"
--- @include "waiting_add"
-- Moves a queued interaction to another step queue of its queue (its step changed).
local function move_step(c, item, q, ch, score, step)
  local sig = item.sig or '0'
  waiting_remove(c, item, q, ch, sig)
  redis.call('HSET', K.ix(c.P, item.id), 'step', step)
  item.step = step
  waiting_add(c, item, q, ch, score, item.queued_ms, sig, item.skills or '{}')
end
