--- @include "keys"
-- The skills {name = min} of an active signature of a (step) queue and channel, read once per
-- run.
local function sig_skills(c, rq, ch, sig)
  if sig == '0' then
    return {}
  end
  local id = rq .. '|' .. ch .. '|' .. sig
  local req = c.sig_req[id]
  if not req then
    req = cjson.decode(redis.call('HGET', K.qsig(c.P, rq, ch), sig) or '{}')
    c.sig_req[id] = req
  end
  return req
end
