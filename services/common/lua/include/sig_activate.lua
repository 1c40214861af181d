--- @include "run_table"
--- @include "keys"
--- @include "sig_set"
--- @include "skills_ok"
-- Makes a skill signature active in a (step) queue and channel: its skills are stored
-- (P:qsig:<rq>:<ch>) and its agent index is built from the agents having its rarest skill at
-- the level asked that are free in the queue's signature-"0" index (not from every free
-- agent), keeping those free for the queue with all the skills.
local function sig_activate(c, rq, ch, sig, skills_json)
  local P = c.P
  redis.call('HSET', K.qsig(P, rq, ch), sig, skills_json)
  local req = cjson.decode(skills_json)
  run_table(c, 'sig_req')[rq .. '|' .. ch .. '|' .. sig] = req
  local rarest, rarest_n
  for skill, min in pairs(req) do
    local n = redis.call('ZCOUNT', K.skill(P, skill), min, '+inf')
    if not rarest_n or n < rarest_n then
      rarest, rarest_n = skill, n
    end
  end
  if rarest then
    local base, key = K.avail(P, rq, ch, '0'), K.avail(P, rq, ch, sig)
    for _, agent in ipairs(redis.call('ZRANGEBYSCORE', K.skill(P, rarest), req[rarest],
        '+inf')) do
      local score = redis.call('ZSCORE', base, agent)
      if score and skills_ok(c, agent, req) then
        redis.call('ZADD', key, score, agent)
      end
    end
  end
  sig_set(c, rq, ch, sig, true)
end
