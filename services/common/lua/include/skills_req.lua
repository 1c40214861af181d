--- @include "kept_put"
-- The skills {name = min} of a skills JSON ({} for none), decoded once per library load: the
-- tables are shared, so no caller changes them.
local SKILLS_REQ, SKILLS_NONE = {n = 0, max = 10000, t = {}}, {}

local function skills_req(skills_json)
  if not skills_json or skills_json == '' or skills_json == '{}' then
    return SKILLS_NONE
  end
  local req = SKILLS_REQ.t[skills_json]
  if not req then
    req = cjson.decode(skills_json)
    kept_put(SKILLS_REQ, skills_json, req)
  end
  return req
end
