--- @include "keys"
--- @include "queue_config"
-- Applies queue limits and opening hours: the queue that admits an interaction on ch,
-- following overflow queues (up to 3 hops), or nil and the reason; with the admitting queue,
-- the number of interactions waiting in it on ch when that was counted (nil otherwise).
-- `first_reason` ('closed', 'max_wait_exceeded'): q itself does not admit it for that reason,
-- its overflow is tried.
local function admit(c, q, ch, first_reason)
  local reason = first_reason
  for hop = 1, 4 do
    local conf = queue_config(c, q)
    if not (hop == 1 and first_reason) then
      if not conf.open then
        reason = reason or 'closed'
      elseif conf.max_waiting == 0 then
        return q
      else
        local waiting = redis.call('ZCARD', K.age(c.P, q, ch))
        if waiting < conf.max_waiting then
          return q, nil, waiting
        end
        reason = reason or 'queue_full'
      end
    end
    local over = conf.overflow
    local oconf = over ~= '' and queue_config(c, over)
    if not oconf or not oconf.has[ch] then
      return nil, reason
    end
    q = over
  end
  return nil, reason or 'queue_full'
end
