--- @include "keys"
--- @include "waiting"
-- Moves a queued interaction to another step queue of its queue (its step changed).
local function move_step(c, id, q, ch, sig, skills, score, queued_ms, step)
  waiting_remove(c, q, ch, id, sig)
  redis.call('HSET', K.ix(c.P, id), 'step', step)
  waiting_add(c, q, ch, id, score, queued_ms, sig, skills)
end
