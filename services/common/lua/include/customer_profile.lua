--- @include "keys"
-- A customer's profile (P:custp:<c>, Intake.UpsertCustomer): {value, risk, renewal_ms, pref};
-- {} for no customer or no profile.
local function customer_profile(c, customer)
  if not customer or customer == '' then
    return {}
  end
  local f = redis.call('HMGET', K.custp(c.P, customer), 'value', 'risk', 'renewal_ms', 'pref')
  return {value = tonumber(f[1] or '0'), risk = tonumber(f[2] or '0'),
    renewal_ms = tonumber(f[3] or '0'), pref = f[4] or nil}
end
