-- The run's table `name` (one of those made by the helpers that first need them), made now if
-- it is not yet.
local function run_table(c, name)
  local t = c[name]
  if not t then
    t = {}
    c[name] = t
  end
  return t
end
