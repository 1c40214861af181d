-- The skills {name = min} a queue's definition requires, decoded once per run.
local function queue_skills(conf)
  if not conf.req then
    local s = conf.skills_json
    conf.req = (s == '' or s == '{}') and {} or cjson.decode(s)
  end
  return conf.req
end
