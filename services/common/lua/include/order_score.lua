--- @include "defaults"
--- @include "tenant_config"
--- @include "num"
-- An interaction's order score in a queue (lower first): its queued time less its priority's
-- head start (the queue's own, else the tenant's, else the default) and the value boost it got
-- when it entered the queue (its 'boost' field), in whole ms; as a number and as the string to
-- write. `conf` is the queue's definition.
local function order_score(c, conf, prio, queued_ms, boost)
  prio = num(prio or '3')
  local head = conf.head[prio] or tenant_config(c).head[prio] or D.head_start[prio] or 0
  local score = math.floor(num(queued_ms) - (head + num(boost or '0')) * 1000)
  return score, string.format('%d', score)
end
