--- @include "keys"
--- @include "defaults"
--- @include "base_queue"
--- @include "queue_config"
--- @include "queue_skills"
--- @include "sig_skills"
--- @include "split_csv"
-- Why an interaction is offered to an agent: the JSON form of the omniroute.v1.RoutingDecision
-- message (read back by ExplainRouting), as {field, value, ...} to write into the interaction
-- hash, which keeps its last D.explain_keep decisions as ex:<n> ('exn' counts them), so they
-- live and expire with it and cost no command of their own. `pick` = {score (string), agent,
-- candidates = {{agent, score (string), excluded}...}}; `waiting` = interactions waiting in the
-- (queue, channel) now, this one included (nil: count them). The JSON is put together from
-- strings: names and ids are validated to characters JSON needs no escape for, and numbers are
-- the strings Redis gave or whole numbers formatted once (cjson and Lua's number formatting
-- cost more than the rest of a decision).

-- [{"name":"<skill>","proficiency":<n>},...] of a {skill = min} table.
local function skills_json(req)
  local out = {}
  for name, level in pairs(req) do
    out[#out + 1] = '{"name":"' .. name .. '","proficiency":' ..
      string.format('%d', tonumber(level)) .. '}'
  end
  return '[' .. table.concat(out, ',') .. ']'
end

local function explain_record(c, trigger, item, rq, ch, sig, pick, waiting)
  local P = c.P
  local q = base_queue(rq)
  local conf = queue_config(c, rq)
  local j = {'{"at_ms":', c.now_s, ',"queue":"', q, '","channel":', ch, ',"trigger":"', trigger,
    '","strategy":"', D.strategy_names[conf.strategy] or 'longest_idle', '","item_score":',
    pick.score, ',"eligible_free_agents":',
    string.format('%d', redis.call('ZCARD', K.avail(P, rq, ch, pick.index_sig or sig))),
    ',"waiting":', string.format('%d', waiting or redis.call('ZCARD', K.age(P, q, ch))),
    ',"chosen_agent_id":"', pick.agent, '","candidates":['}
  for i, cand in ipairs(pick.candidates) do
    if i > D.explain_candidates then
      break
    end
    j[#j + 1] = (i > 1 and ',{"agent_id":"' or '{"agent_id":"') .. cand.agent .. '","score":' ..
      cand.score .. (cand.excluded ~= '' and ',"excluded":"' .. cand.excluded .. '"}' or '}')
  end
  j[#j + 1] = ']'
  if next(queue_skills(conf)) ~= nil then
    j[#j + 1] = ',"step_required_skills":' .. skills_json(queue_skills(conf))
  end
  local step = string.match(rq, '#(%d+)$')
  if step then
    j[#j + 1] = ',"step":' .. step
    if conf.add ~= '' then
      j[#j + 1] = ',"step_added_queues":["' .. table.concat(split_csv(conf.add), '","') .. '"]'
    end
  end
  if sig ~= '0' then
    j[#j + 1] = ',"extra_skills":' .. skills_json(pick.sig_req or sig_skills(c, rq, ch, sig))
  end
  j[#j + 1] = '}'
  local n = tonumber(item.exn or '0') + 1
  item.exn = string.format('%d', n)
  if n > D.explain_keep then
    redis.call('HDEL', K.ix(P, item.id), 'ex:' .. (n - D.explain_keep))
  end
  return {'ex:' .. item.exn, table.concat(j), 'exn', item.exn}
end
