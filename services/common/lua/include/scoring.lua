--- @include "keys"
--- @include "defaults"
-- The order of waiting work: queued time less a priority head start and a value boost.

-- The extra head start (s) a customer's value at risk gives its work: value at risk = annual
-- value x min(1, churn risk + 0.5 x renewal proximity), proximity 1 when the renewal is within
-- 30 days, fading to 0 at 90; the boost is 10 s per factor of 10 above 100 (currency units),
-- bounded by the tenant's boost_max, so nothing starves behind it.
local function value_boost(c, customer)
  if not customer or customer == '' then
    return 0
  end
  local f = redis.call('HMGET', K.custp(c.P, customer), 'value', 'risk', 'renewal_ms')
  local value, risk = tonumber(f[1] or '0'), tonumber(f[2] or '0')
  local renewal = tonumber(f[3] or '0')
  local max = tonumber(redis.call('HGET', K.cfg(c.P), 'boost_max') or D.boost_max)
  if value <= 0 or max <= 0 then
    return 0
  end
  local proximity = 0
  if renewal > 0 then
    local days = (renewal - c.now) / 86400000
    if days >= 0 and days <= 30 then
      proximity = 1
    elseif days > 30 and days < 90 then
      proximity = (90 - days) / 60
    end
  end
  local at_risk = value * math.min(1, risk + 0.5 * proximity)
  if at_risk <= 100 then
    return 0
  end
  return math.min(max, 10 * math.log10(at_risk / 100))
end

-- The head start (s) of a priority in q: the queue's own, else the tenant's, else the default.
local function head_start(c, q, prio)
  prio = tonumber(prio or '3')
  return tonumber(redis.call('HGET', K.qc(c.P, q), 'head:' .. prio) or
    redis.call('HGET', K.cfg(c.P), 'head:' .. prio) or D.head_start[prio] or 0)
end

-- An interaction's order score in q (lower first): its queued time less its priority's head
-- start and the value boost it got when it entered the queue (its 'boost' field).
local function order_score(c, q, prio, queued_ms, boost)
  return tonumber(queued_ms) - (head_start(c, q, prio) + tonumber(boost or '0')) * 1000
end
