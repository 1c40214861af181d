--- @include "keys"
--- @include "defaults"
--- @include "queue_config"
--- @include "steps"
-- Records why an interaction was offered to an agent, as the JSON form of the
-- omniroute.v1.RoutingDecision message (read back by ExplainRouting). `trigger` names the
-- transition that made the decision.
local function explain(c, trigger, id, rq, ch, sig, pick)
  local P = c.P
  local q = base_queue(rq)
  local strategy = tonumber(redis.call('HGET', K.qc(P, q), 'strategy') or '1')
  -- The best 8 candidates tell the story and keep the record (and its encoding) small.
  local candidates = {}
  for i, cand in ipairs(pick.candidates) do
    if i > 8 then
      break
    end
    candidates[i] = {agent_id = cand.agent, score = cand.score, excluded = cand.excluded}
  end
  local record = {
    at_ms = c.now, queue = q, channel = tonumber(ch), trigger = trigger,
    strategy = D.strategy_names[strategy] or 'longest_idle', item_score = pick.score,
    eligible_free_agents = redis.call('ZCARD', K.avail(P, rq, ch, sig)),
    waiting = redis.call('ZCARD', K.age(P, q, ch)),
    candidates = candidates, chosen_agent_id = pick.agent,
  }
  local step = tonumber(string.match(rq, '#(%d+)$') or '0')
  local step_skills = {}
  for name, level in pairs(queue_skills(c, rq)) do
    step_skills[#step_skills + 1] = {name = name, proficiency = level}
  end
  if #step_skills > 0 then
    record.step_required_skills = step_skills
  end
  if step > 0 then
    record.step = step
    local added = {}
    for other in string.gmatch(redis.call('HGET', K.qc(P, rq), 'add') or '', '[^,]+') do
      added[#added + 1] = other
    end
    if #added > 0 then
      record.step_added_queues = added
    end
  end
  if sig ~= '0' then
    local extra = {}
    local req = cjson.decode(redis.call('HGET', K.qsig(P, rq, ch), sig) or '{}')
    for name, level in pairs(req) do
      extra[#extra + 1] = {name = name, proficiency = level}
    end
    record.extra_skills = extra
  end
  local key = K.explain(P, id)
  redis.call('LPUSH', key, cjson.encode(record))
  redis.call('LTRIM', key, 0, D.explain_keep - 1)
  redis.call('EXPIRE', key, D.explain_ttl)
end
