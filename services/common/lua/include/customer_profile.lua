--- @include "keys"
--- @include "num"
-- A customer's profile (P:custp:<c>, Intake.UpsertCustomer): {value, risk, renewal_ms, pref};
-- an empty table (shared: callers only read it) for no customer or no profile.
local NO_PROFILE = {}

local function customer_profile(c, customer)
  if not customer or customer == '' then
    return NO_PROFILE
  end
  local f = redis.call('HMGET', K.custp(c.P, customer), 'value', 'risk', 'renewal_ms', 'pref')
  if not (f[1] or f[2] or f[3] or f[4]) then
    return NO_PROFILE
  end
  return {value = num(f[1] or '0'), risk = num(f[2] or '0'), renewal_ms = num(f[3] or '0'),
    pref = f[4] or nil}
end
