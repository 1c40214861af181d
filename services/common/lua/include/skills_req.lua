-- The skills {name = min} of a skills JSON ({} for none), decoded once per library load: the
-- tables are shared, so no caller changes them.
local SKILLS_REQ, SKILLS_REQ_N, SKILLS_NONE = {}, 0, {}

local function skills_req(skills_json)
  if not skills_json or skills_json == '' or skills_json == '{}' then
    return SKILLS_NONE
  end
  local req = SKILLS_REQ[skills_json]
  if not req then
    req = cjson.decode(skills_json)
    if SKILLS_REQ_N < 10000 then
      SKILLS_REQ[skills_json] = req
      SKILLS_REQ_N = SKILLS_REQ_N + 1
    end
  end
  return req
end
