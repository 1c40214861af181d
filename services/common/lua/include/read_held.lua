--- @include "not_held"
-- Reads the fields an accept or complete needs of the work (state and agent first, then
-- `...`) and checks it is in `state` with `agent`: the fields, and the refusal (not_held.lua)
-- or nil.
local function read_held(ix, state, agent, ...)
  local f = redis.call('HMGET', ix, 'state', 'agent', ...)
  return f, not_held(f[1], f[2], state, agent)
end
