--- @include "tenant_config"
-- Whether the agent (agent_get's) has room on a channel worked alone (capacity above load).
-- Without such room, taking or ending work on other channels cannot block or unblock any
-- channel under the cross-channel rule (agent_free.lua).
local function agent_exclusive_room(c, a)
  for ch, _ in pairs(tenant_config(c).exclusive) do
    if (a.cap[ch] or 0) > (a.load[ch] or 0) then
      return true
    end
  end
  return false
end
