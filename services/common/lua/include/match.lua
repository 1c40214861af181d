--- @include "keys"
--- @include "defaults"
--- @include "steps"
--- @include "agent_index"
--- @include "explain"
--- @include "offer"
-- Matching: waiting work meets free agents, best-ranked work first.

-- The best offer a sig can make now: its best-ranked waiting item with a free agent who has
-- not declined it (the best-ranked such agent). Returns a pick {score, id, agent, candidates}
-- or nil; candidates lists the agents looked at for the chosen item.
local function sig_candidate(c, wkey, akey)
  local flat = redis.call('ZRANGE', akey, 0, D.match_agents - 1, 'WITHSCORES')
  if #flat == 0 then
    return nil
  end
  local items = redis.call('ZRANGE', wkey, 0, D.match_items - 1, 'WITHSCORES')
  for i = 1, #items, 2 do
    local id = items[i]
    local skip = K.skip(c.P, id)
    local has_skips = redis.call('EXISTS', skip) == 1
    local chosen
    local candidates = {}
    for k = 1, #flat, 2 do
      local agent = flat[k]
      local excluded = ''
      if has_skips then
        local until_ms = redis.call('ZSCORE', skip, agent)
        if until_ms and tonumber(until_ms) > c.now then
          excluded = 'declined_until:' .. until_ms
        end
      end
      candidates[#candidates + 1] = {agent = agent, score = tonumber(flat[k + 1]),
        excluded = excluded}
      if excluded == '' and not chosen then
        chosen = agent
      end
    end
    if chosen then
      return {score = tonumber(items[i + 1]), id = id, agent = chosen, candidates = candidates}
    end
  end
  return nil
end

-- Makes offers in one (queue, channel) while some (step queue, sig) has waiting work and a
-- free agent who may take it, best-ranked work first. Costs O(steps x sigs x log n) per offer.
-- q may be a step queue: its real queue is matched. `trigger` (default: the script's) is
-- recorded with each decision. Returns the count.
local function match(c, q, ch, budget, trigger)
  local P = c.P
  trigger = trigger or c.trigger
  q = base_queue(q)
  local rqs = {q}
  for k = 1, tonumber(redis.call('HGET', K.qc(P, q), 'nvq') or '0') do
    rqs[#rqs + 1] = q .. '#' .. k
  end
  local made = 0
  while made < budget do
    local best, best_rq, best_sig
    for _, rq in ipairs(rqs) do
      for sig, _ in pairs(active_sigs(c, rq, ch)) do
        local pick = sig_candidate(c, K.waiting(P, rq, ch, sig), K.avail(P, rq, ch, sig))
        if pick and (not best or pick.score < best.score) then
          best, best_rq, best_sig = pick, rq, sig
        end
      end
    end
    if not best then
      break
    end
    explain(c, trigger, best.id, best_rq, ch, best_sig, best)
    offer(c, best.id, best.agent, best_rq, ch, best_sig)
    made = made + 1
  end
  return made
end
