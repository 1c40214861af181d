-- Whether an agent (agent_get's) holds any work, not counting channel `except` (nil: all).
local function agent_busy(a, except)
  for ch, n in pairs(a.load) do
    if n > 0 and ch ~= except then
      return true
    end
  end
  return false
end
