--- @include "keys"
--- @include "queue_config"
--- @include "events"
-- Queue limits and opening hours.

-- The queue that admits an interaction on ch, following overflow queues (up to 3 hops), or
-- nil and the reason. `first_reason` ('closed', 'max_wait_exceeded'): q itself does not admit
-- it for that reason, its overflow is tried.
local function admit(c, q, ch, first_reason)
  local P = c.P
  local reason = first_reason
  for hop = 1, 4 do
    local f = redis.call('HMGET', K.qc(P, q), 'max_waiting', 'overflow', 'open')
    if not (hop == 1 and first_reason) then
      local max = tonumber(f[1] or '0')
      if f[3] == '0' then
        reason = reason or 'closed'
      elseif max == 0 or redis.call('ZCARD', K.age(P, q, ch)) < max then
        return q
      else
        reason = reason or 'queue_full'
      end
    end
    local over = f[2]
    if not over or over == '' or redis.call('SISMEMBER', K.queues(P), over) == 0 or
        not accepts_channel(c, over, ch) then
      return nil, reason
    end
    q = over
  end
  return nil, reason or 'queue_full'
end

-- Ends an interaction refused by policy (no queue, full, waited too long).
local function reject_by_policy(c, id, q, ch, reason)
  local ix = K.ix(c.P, id)
  redis.call('HSET', ix, 'state', 'rejected', 'end_reason', reason, 'ended_ms', c.now)
  redis.call('EXPIRE', ix, c.ttl)
  redis.call('DEL', K.skip(c.P, id))
  emit(c, 'rejected_by_policy', id, '', q or '', ch, {'reason', reason})
end
