--- @include "keys"
--- @include "defaults"
--- @include "emit"
--- @include "item_read"
--- @include "unreserve"
--- @include "waiting_add"
--- @include "match"
-- Hands reservations that ran out to every agent of their queue. Idempotent like every timer.
local function expire_reservations(c, limit)
  local P = c.P
  local due = redis.call('ZRANGEBYSCORE', K.pref_timers(P), '-inf', c.now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', K.pref_timers(P), id)
    local item = item_read(c, id)
    if item and item.reserved then
      local q, ch = item.queue, item.channel
      unreserve(c, id, item.reserved)
      waiting_add(c, item, q, ch, tonumber(item.score), tonumber(item.queued_ms),
        item.sig or '0', item.skills or '{}')
      emit(c, 'reservation_expired', id, item.reserved, q, ch, nil)
      item.reserved = nil
      match(c, q, ch, D.match_budget)
    end
  end
  return #due
end
