--- @include "keys"
--- @include "defaults"
--- @include "base_queue"
--- @include "queue_config"
--- @include "queue_skills"
--- @include "sig_skills"
--- @include "split_csv"
-- Why an interaction is offered to an agent, as the JSON form of the omniroute.v1.RoutingDecision
-- message (read back by ExplainRouting): the {field, value, ...} to write into the interaction
-- hash, which keeps its last D.explain_keep decisions as ex:<n> ('exn' counts them), so they
-- live and expire with it and cost no command of their own. `pick` = {score, agent, candidates = {{agent, score, excluded}...}};
-- `waiting` = interactions waiting in the (queue, channel) now, this one included (nil: count).
local function explain_record(c, trigger, item, rq, ch, sig, pick, waiting)
  local P = c.P
  local q = base_queue(rq)
  local conf = queue_config(c, rq)
  local candidates = {}
  for i, cand in ipairs(pick.candidates) do
    if i > D.explain_candidates then
      break
    end
    candidates[i] = {agent_id = cand.agent, score = cand.score, excluded = cand.excluded}
  end
  local record = {at_ms = c.now, queue = q, channel = tonumber(ch), trigger = trigger,
    strategy = D.strategy_names[conf.strategy] or 'longest_idle', item_score = pick.score,
    eligible_free_agents = redis.call('ZCARD', K.avail(P, rq, ch, pick.index_sig or sig)),
    waiting = waiting or redis.call('ZCARD', K.age(P, q, ch)),
    candidates = candidates, chosen_agent_id = pick.agent}
  local step_skills = {}
  for name, level in pairs(queue_skills(conf)) do
    step_skills[#step_skills + 1] = {name = name, proficiency = level}
  end
  if #step_skills > 0 then
    record.step_required_skills = step_skills
  end
  local step = tonumber(string.match(rq, '#(%d+)$') or '0')
  if step > 0 then
    record.step = step
    local added = split_csv(conf.add)
    if #added > 0 then
      record.step_added_queues = added
    end
  end
  if sig ~= '0' then
    local extra = {}
    for name, level in pairs(pick.sig_req or sig_skills(c, rq, ch, sig)) do
      extra[#extra + 1] = {name = name, proficiency = level}
    end
    record.extra_skills = extra
  end
  local n = tonumber(item.exn or '0') + 1
  item.exn = n
  if n > D.explain_keep then
    redis.call('HDEL', K.ix(P, item.id), 'ex:' .. (n - D.explain_keep))
  end
  return {'ex:' .. n, cjson.encode(record), 'exn', n}
end
