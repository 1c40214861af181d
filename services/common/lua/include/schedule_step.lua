--- @include "keys"
--- @include "step_after"
-- Arms the timer of an interaction's next bullseye step in a queue, or removes its timer when
-- it reached the last one (`armed`: it may have a timer; work entering its first queue has
-- none, which saves the ZREM).
local function schedule_step(c, id, conf, queued_ms, step, armed)
  local after = step_after(c, conf, tonumber(step) + 1)
  if after then
    redis.call('ZADD', K.steps(c.P), tonumber(queued_ms) + after, id)
  elseif armed then
    redis.call('ZREM', K.steps(c.P), id)
  end
end
