--- @include "run_table"
--- @include "keys"
--- @include "agent_read"
--- @include "num"
-- An agent's skills {name = proficiency}, read once per run: from its hash, where agent_state
-- copies them as sk:<name> fields (and 'skv') so that the read an offer makes anyway brings
-- them, else from P:agsk:<a> (an agent written before that copy existed).
local function agent_skills(c, agent)
  local known = run_table(c, 'skills')
  local s = known[agent]
  if not s then
    local a = agent_get(c, agent)
    s = {}
    if a and a.skv then
      for name, level in pairs(a.sk) do
        s[name] = num(level)
      end
    else
      local flat = redis.call('HGETALL', K.agent_skills(c.P, agent))
      for i = 1, #flat, 2 do
        s[flat[i]] = tonumber(flat[i + 1])
      end
    end
    known[agent] = s
  end
  return s
end
