--- @include "run_table"
--- @include "keys"
-- The skills {name = min} of an active signature of a (step) queue and channel, read once per
-- run.
local function sig_skills(c, rq, ch, sig)
  if sig == '0' then
    return {}
  end
  local id = rq .. '|' .. ch .. '|' .. sig
  local known = run_table(c, 'sig_req')
  local req = known[id]
  if not req then
    req = cjson.decode(redis.call('HGET', K.qsig(c.P, rq, ch), sig) or '{}')
    known[id] = req
  end
  return req
end
