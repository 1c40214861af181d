--- @include "keys"
--- @include "step_queue"
--- @include "sig_set"
-- Removes an interaction from the waiting sets; a signature left without work becomes
-- inactive and its agent index is dropped.
local function waiting_remove(c, item, q, ch, sig)
  local P = c.P
  local rq = step_queue(q, item.step)
  local wkey = K.waiting(P, rq, ch, sig)
  redis.call('ZREM', wkey, item.id)
  redis.call('ZREM', K.age(P, q, ch), item.id)
  if sig ~= '0' and redis.call('ZCARD', wkey) == 0 then
    redis.call('HDEL', K.qsig(P, rq, ch), sig)
    redis.call('DEL', K.avail(P, rq, ch, sig))
    if queue_config(c, rq) then
      sig_set(c, rq, ch, sig, false)
    end
  end
end
