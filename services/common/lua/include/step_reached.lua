--- @include "step_after"
-- The bullseye step an interaction that waited `elapsed` ms in a queue has reached.
local function step_reached(c, conf, elapsed)
  local step = 0
  while step < conf.steps and elapsed >= step_after(c, conf, step + 1) do
    step = step + 1
  end
  return step
end
