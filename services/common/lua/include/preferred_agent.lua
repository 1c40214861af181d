--- @include "keys"
-- The agent an interaction prefers: the one named at submit, else the customer's preferred
-- agent (its profile), else the customer's last agent.
local function preferred_agent(c, item, profile)
  if item.pref and item.pref ~= '' then
    return item.pref
  end
  if profile.pref and profile.pref ~= '' then
    return profile.pref
  end
  if item.customer and item.customer ~= '' then
    return redis.call('HGET', K.cust(c.P, item.customer), 'agent') or nil
  end
  return nil
end
