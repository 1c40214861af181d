--- @include "keys"
--- @include "num"
--- @include "kept_put"
-- An agent, read once per run: its hash P:ag:<a> (state, idle_ms, offer_ms, cap:<ch>, load:<ch>,
-- missed, profile, rqs, nres, sk:<skill>, skv) as {state, idle, offer, missed, nres, rqs,
-- profile, skv, cap = {ch = n}, load = {ch = n}, sk = {skill = '<n>'}}; nil for an agent that never
-- logged in. agent_parse reads one field into it (agent_set uses it for writes too), so no
-- helper converts or splits a field again. What a field name means is worked out once per
-- library load (AGENT_FIELD: name -> {kind, key}; kinds 1 load, 2 cap, 3 skill, 4 number, 5
-- string).
local AGENT_NUMBERS = {idle_ms = 'idle', offer_ms = 'offer', missed = 'missed', nres = 'nres'}
local AGENT_FIELDS = {n = 0, max = 10000, t = {}}
local AGENT_FIELD = AGENT_FIELDS.t  -- emptied in place when full

local function agent_field(field)
  local d = AGENT_FIELD[field]
  if not d then
    local b = string.byte(field, 1)
    if b == 108 and string.sub(field, 1, 5) == 'load:' then  -- 'l'
      d = {1, string.sub(field, 6)}
    elseif b == 99 and string.sub(field, 1, 4) == 'cap:' then  -- 'c'
      d = {2, string.sub(field, 5)}
    elseif b == 115 and string.sub(field, 1, 3) == 'sk:' then  -- 's'
      d = {3, string.sub(field, 4)}  -- converted when needed (agent_skills.lua)
    elseif AGENT_NUMBERS[field] then
      d = {4, AGENT_NUMBERS[field]}
    else
      d = {5, field}
    end
    kept_put(AGENT_FIELDS, field, d)
  end
  return d
end

local function agent_parse(a, field, value)
  local d = AGENT_FIELD[field] or agent_field(field)
  local kind = d[1]
  if kind == 1 then
    a.load[d[2]] = NUM[value] or num(value)
  elseif kind == 2 then
    a.cap[d[2]] = NUM[value] or num(value)
  elseif kind == 3 then
    a.sk[d[2]] = value
  elseif kind == 4 then
    a[d[2]] = NUM[value] or num(value)
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
