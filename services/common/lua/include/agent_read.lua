--- @include "keys"
-- An agent, read once per run: its hash P:ag:<a> (state, idle_ms, offer_ms, cap:<ch>, load:<ch>,
-- missed, profile, rqs, nres, sk:<skill>, skv) as {state, idle, offer, missed, nres, rqs,
-- profile, skv, cap = {ch = n}, load = {ch = n}, sk = {skill = '<n>'}}; nil for an agent that never
-- logged in. agent_parse reads one field into it (agent_set uses it for writes too), so no
-- helper converts or splits a field again.
local AGENT_NUMBERS = {idle_ms = 'idle', offer_ms = 'offer', missed = 'missed', nres = 'nres'}

local function agent_parse(a, field, value)
  local b = string.byte(field, 1)
  if b == 108 and string.sub(field, 1, 5) == 'load:' then  -- 'l'
    a.load[string.sub(field, 6)] = tonumber(value)
  elseif b == 99 and string.sub(field, 1, 4) == 'cap:' then  -- 'c'
    a.cap[string.sub(field, 5)] = tonumber(value)
  elseif b == 115 and string.sub(field, 1, 3) == 'sk:' then  -- 's'
    a.sk[string.sub(field, 4)] = value  -- converted when needed (agent_skills.lua)
  elseif AGENT_NUMBERS[field] then
    a[AGENT_NUMBERS[field]] = tonumber(value)
  else
    a[field] = value
  end
end

local function agent_get(c, agent)
  local a = c.agent[agent]
  if a == nil then
    local flat = redis.call('HGETALL', K.agent(c.P, agent))
    a = false
    if #flat > 0 then
      a = {idle = 0, offer = 0, missed = 0, nres = 0, cap = {}, load = {}, sk = {}}
      for i = 1, #flat, 2 do
        agent_parse(a, flat[i], flat[i + 1])
      end
    end
    c.agent[agent] = a
  end
  return a or nil
end
