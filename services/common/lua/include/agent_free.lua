--- @include "tenant_config"
-- The agent's free capacity on channel ch (0 when it may not take work there now): it is
-- available, below its capacity, and not blocked by the cross-channel rule (an exclusive
-- channel, voice unless configured, is worked alone). `a` is agent_get's.
local function agent_free(c, a, ch)
  if a.state ~= 'available' then
    return 0
  end
  local free = (a.cap[ch] or 0) - (a.load[ch] or 0)
  if free <= 0 then
    return 0
  end
  local exclusive = tenant_config(c).exclusive
  for held, n in pairs(a.load) do
    if n > 0 and held ~= ch and (exclusive[ch] or exclusive[held]) then
      return 0
    end
  end
  return free
end
