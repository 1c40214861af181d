--- @include "keys"
--- @include "queue_config"
--- @include "step_queue"
--- @include "sig_activate"
-- Adds an interaction to a queue's waiting sets: routing order in the step queue of its step
-- (P:q:<rq>:<ch>:<sig>) and age order in the real queue (P:qt:<q>:<ch>). A signature no
-- waiting work had becomes active. `item` is the interaction as read (item_read.lua).
local function waiting_add(c, item, q, ch, score, queued_ms, sig, skills_json)
  local rq = step_queue(q, item.step)
  local conf = queue_config(c, rq)
  if sig ~= '0' and conf and not conf.sigs[ch][sig] then
    sig_activate(c, rq, ch, sig, skills_json)
  end
  redis.call('ZADD', K.waiting(c.P, rq, ch, sig), score, item.id)
  redis.call('ZADD', K.age(c.P, q, ch), queued_ms, item.id)
end
