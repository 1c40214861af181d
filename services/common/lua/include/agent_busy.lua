-- Whether an agent (its hash `a`) holds any work, not counting channel `except` (nil: all).
local function agent_busy(a, except)
  for field, v in pairs(a) do
    if string.sub(field, 1, 5) == 'load:' and string.sub(field, 6) ~= except and
        tonumber(v) > 0 then
      return true
    end
  end
  return false
end
