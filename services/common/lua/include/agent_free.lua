--- @include "tenant_config"
-- The agent's free capacity on channel ch (0 when it may not take work there now): it is
-- available, below its capacity, and not blocked by the cross-channel rule (an exclusive
-- channel, voice unless configured, is worked alone). `a` is the agent hash.
local function agent_free(c, a, ch)
  if a.state ~= 'available' then
    return 0
  end
  local free = tonumber(a['cap:' .. ch] or '0') - tonumber(a['load:' .. ch] or '0')
  if free <= 0 then
    return 0
  end
  local exclusive = tenant_config(c).exclusive
  for field, v in pairs(a) do
    if string.sub(field, 1, 5) == 'load:' and tonumber(v) > 0 then
      local held = string.sub(field, 6)
      if held ~= ch and (exclusive[ch] or exclusive[held]) then
        return 0
      end
    end
  end
  return free
end
