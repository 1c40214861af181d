-- The context of one script run, passed explicitly to every helper: the tenant prefix, the
-- clock, the event feed's cap, the retention of finished interactions and the transition that
-- runs (recorded with each routing decision it makes).
local function new_context(P, now, maxlen, ttl, trigger)
  return {P = P, now = tonumber(now), maxlen = maxlen, ttl = ttl, trigger = trigger}
end
