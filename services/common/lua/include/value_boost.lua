--- @include "tenant_config"
-- The extra head start (s) a customer's value at risk gives its work: value at risk = annual
-- value x min(1, churn risk + 0.5 x renewal proximity), proximity 1 when the renewal is within
-- 30 days, fading to 0 at 90; the boost is 10 s per factor of 10 above 100 (currency units),
-- bounded by the tenant's boost_max, so nothing starves behind it. `profile` is
-- customer_profile's.
local function value_boost(c, profile)
  local value = profile.value or 0
  if value <= 0 then
    return 0
  end
  local max = tenant_config(c).boost_max
  if max <= 0 then
    return 0
  end
  local proximity = 0
  local renewal = profile.renewal_ms or 0
  if renewal > 0 then
    local days = (renewal - c.now) / 86400000
    if days >= 0 and days <= 30 then
      proximity = 1
    elseif days > 30 and days < 90 then
      proximity = (90 - days) / 60
    end
  end
  local at_risk = value * math.min(1, (profile.risk or 0) + 0.5 * proximity)
  if at_risk <= 100 then
    return 0
  end
  return math.min(max, 10 * math.log10(at_risk / 100))
end
