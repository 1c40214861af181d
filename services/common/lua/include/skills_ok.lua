--- @include "agent_skills"
-- True when the agent's skills meet every requirement of a {skill = min} table.
local function skills_ok(c, agent, req)
  if next(req) == nil then
    return true
  end
  local have = agent_skills(c, agent)
  for skill, min in pairs(req) do
    if (have[skill] or 0) < tonumber(min) then
      return false
    end
  end
  return true
end
