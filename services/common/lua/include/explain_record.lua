--- @include "keys"
--- @include "defaults"
--- @include "base_queue"
--- @include "queue_config"
--- @include "queue_skills"
--- @include "sig_skills"
--- @include "split_csv"
--- @include "num"
--- @include "fmt_int"
--- @include "kept_put"
-- Why an interaction is offered to an agent: the JSON form of the omniroute.v1.RoutingDecision
-- message (read back by ExplainRouting), returned as the field, the JSON and the new count to
-- write into the interaction hash, which keeps its last D.explain_keep decisions as ex:<n>
-- ('exn' counts them), so they live and expire with it and cost no command of their own.
-- `pick` = {score (string), agent, cands = {agent, score (string), ...}, excl = {[i] = reason
-- of cands[i]} or nil}; `waiting` = interactions waiting in the (queue, channel) now, this one
-- included (nil: count them). The JSON is put together from strings: names and ids are
-- validated to characters JSON needs no escape for, and numbers are the strings Redis gave or
-- whole numbers formatted once (cjson and Lua's number formatting cost more than the rest of a
-- decision). What depends only on the (step) queue is put together once per definition, the
-- extra skills of a pick that brings them (find_agent.lua) once per signature.
local EXPLAIN_SIGS = {n = 0, max = 10000, t = {}}  -- signature -> its extra skills' JSON

-- [{"name":"<skill>","proficiency":<n>},...] of a {skill = min} table.
local function skills_json(req)
  local out = {}
  for name, level in pairs(req) do
    out[#out + 1] = '{"name":"' .. name .. '","proficiency":' ..
      string.format('%d', tonumber(level)) .. '}'
  end
  return '[' .. table.concat(out, ',') .. ']'
end

-- The record's end that depends on the (step) queue only: its skills, its step and the queues
-- it adds.
local function explain_queue_part(conf)
  local part = conf.explain_part
  if not part then
    part = ''
    if next(queue_skills(conf)) ~= nil then
      part = ',"step_required_skills":' .. skills_json(queue_skills(conf))
    end
    local step = string.match(conf.name, '#(%d+)$')
    if step then
      part = part .. ',"step":' .. step
      if conf.add ~= '' then
        part = part .. ',"step_added_queues":["' .. table.concat(split_csv(conf.add), '","') ..
          '"]'
      end
    end
    conf.explain_part = part
  end
  return part
end

-- The candidates' part of a record: {"agent_id":..,"score":..[,"excluded":..]},...
local function explain_candidates(pick)
  local f, excl = pick.cands, pick.excl
  if #f >= 16 and not excl and D.explain_candidates == 8 then
    -- The usual record: eight candidates, none passed over, in one concatenation.
    return '{"agent_id":"' .. f[1] .. '","score":' .. f[2] .. '},{"agent_id":"' .. f[3] ..
      '","score":' .. f[4] .. '},{"agent_id":"' .. f[5] .. '","score":' .. f[6] ..
      '},{"agent_id":"' .. f[7] .. '","score":' .. f[8] .. '},{"agent_id":"' .. f[9] ..
      '","score":' .. f[10] .. '},{"agent_id":"' .. f[11] .. '","score":' .. f[12] ..
      '},{"agent_id":"' .. f[13] .. '","score":' .. f[14] .. '},{"agent_id":"' .. f[15] ..
      '","score":' .. f[16] .. '}'
  elseif #f == 2 and not excl then
    return '{"agent_id":"' .. f[1] .. '","score":' .. f[2] .. '}'
  end
  local j = {}
  for i = 1, math.min(#f, 2 * D.explain_candidates), 2 do
    local excluded = excl and excl[i]
    j[#j + 1] = '{"agent_id":"' .. f[i] .. '","score":' .. f[i + 1] ..
      (excluded and ',"excluded":"' .. excluded .. '"}' or '}')
  end
  return table.concat(j, ',')
end

local function explain_record(c, trigger, item, rq, ch, sig, pick, waiting)
  local P = c.P
  local q = base_queue(rq)
  local conf = queue_config(c, rq)
  local extra = ''
  if sig ~= '0' and not pick.sig_req then
    extra = ',"extra_skills":' .. skills_json(sig_skills(c, rq, ch, sig))
  elseif sig ~= '0' then
    -- The pick's skills are the signature's own (skills_req.lua), the same for every pick.
    extra = EXPLAIN_SIGS.t[sig]
    if not extra then
      extra = ',"extra_skills":' .. skills_json(pick.sig_req)
      kept_put(EXPLAIN_SIGS, sig, extra)
    end
  end
  local record = '{"at_ms":' .. c.now_s .. ',"queue":"' .. q .. '","channel":' .. ch ..
    ',"trigger":"' .. trigger .. '","strategy":"' ..
    (D.strategy_names[conf.strategy] or 'longest_idle') .. '","item_score":' .. pick.score ..
    ',"eligible_free_agents":' ..
    fmt_int(redis.call('ZCARD', K.avail(P, rq, ch, pick.index_sig or sig))) .. ',"waiting":' ..
    fmt_int(waiting or redis.call('ZCARD', K.age(P, q, ch))) .. ',"chosen_agent_id":"' ..
    pick.agent .. '","candidates":[' .. explain_candidates(pick) .. ']' ..
    explain_queue_part(conf) .. extra .. '}'
  local count = (item.exn and (NUM[item.exn] or num(item.exn)) or 0) + 1
  item.exn = fmt_int(count)
  if count > D.explain_keep then
    redis.call('HDEL', K.ix(P, item.id), 'ex:' .. (count - D.explain_keep))
  end
  return 'ex:' .. item.exn, record, item.exn
end
