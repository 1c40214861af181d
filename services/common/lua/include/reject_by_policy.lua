--- @include "keys"
--- @include "emit"
-- Ends an interaction refused by policy (no queue, full, waited too long).
local function reject_by_policy(c, item, q, ch, reason)
  local ix = K.ix(c.P, item.id)
  redis.call('HSET', ix, 'state', 'rejected', 'end_reason', reason, 'ended_ms', c.now_s)
  redis.call('EXPIRE', ix, c.ttl)
  if item.skipped then
    redis.call('DEL', K.skip(c.P, item.id))
  end
  emit(c, 'rejected_by_policy', item.id, '', q or '', ch, {'reason', reason})
end
