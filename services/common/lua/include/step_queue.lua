-- The step queue of q at a step (q itself at step 0); see base_queue.lua.
local function step_queue(q, step)
  step = tonumber(step or '0')
  if step > 0 then
    return q .. '#' .. step
  end
  return q
end
