--- @include "keys"
--- @include "defaults"
--- @include "queue_config"
--- @include "skills_ok"
-- The best-ranked free agent who may take an interaction that enters (step) queue rq on ch
-- with signature sig and skills `req` while no other work waits there: from the signature's
-- agent index, or, for a signature no waiting work has (no index), from the queue's
-- signature-"0" index filtered by the skills. Agents it skips are passed over. The index is
-- read a few agents at a time (D.explain_candidates, then up to D.match_agents): most choices
-- are its head. Returns a pick {score, agent, cands, excl, index_sig, sig_req} (see
-- explain_record.lua) or nil, and whether the whole index was looked at.
local FIND_NO_SKIPS = {}

local function find_agent(c, item, rq, ch, sig, req)
  local active = sig == '0' or queue_config(c, rq).sigs[ch][sig]
  local index_sig = active and sig or '0'
  local key = K.avail(c.P, rq, ch, index_sig)
  local from, to = 0, D.explain_candidates - 1
  if active and not item.skipped then
    -- Every agent read is a candidate and none is passed over: the head is the pick.
    local flat = redis.call('ZRANGE', key, from, to, 'WITHSCORES')
    local whole = #flat < 2 * (to - from + 1)
    if #flat == 0 then
      return nil, whole
    end
    return {score = item.score, agent = flat[1], cands = flat, index_sig = index_sig,
      sig_req = req}, whole
  end
  local skips = FIND_NO_SKIPS
  if item.skipped then
    skips = {}
    local s = redis.call('ZRANGE', K.skip(c.P, item.id), 0, -1, 'WITHSCORES')
    for i = 1, #s, 2 do
      skips[s[i]] = s[i + 1]
    end
  end
  -- The agents are read without their scores (Redis formats each score it sends with printf)
  -- and the scores of those the record lists are read at the end.
  local pick = {score = item.score, index_sig = index_sig, sig_req = req}
  local listed, excl, n, whole = {}, nil, 0, false
  while true do
    local names = redis.call('ZRANGE', key, from, to)
    for k = 1, #names do
      local agent = names[k]
      -- Past the chosen agent, an unindexed signature's skills are checked only for agents
      -- read already: the record lists who was looked at, and looking costs a read per agent.
      local known = c.skills
      if pick.agent and not active and not (known and known[agent] or c.agent[agent]) then
        break
      end
      if active or skills_ok(c, agent, req) then
        n = n + 1
        listed[n] = agent
        if skips[agent] and tonumber(skips[agent]) > c.now then
          excl = excl or {}
          excl[2 * n - 1] = 'declined_until:' .. skips[agent]
        elseif not pick.agent then
          pick.agent = agent
        end
      end
    end
    whole = #names < to - from + 1
    if pick.agent or whole or to >= D.match_agents - 1 then
      break
    end
    from, to = to + 1, D.match_agents - 1
  end
  if not pick.agent then
    return nil, whole
  end
  n = math.min(n, D.explain_candidates)
  local scores = redis.call('ZMSCORE', key, unpack(listed, 1, n))
  local cands = {}
  for i = 1, n do
    cands[2 * i - 1], cands[2 * i] = listed[i], scores[i]
  end
  pick.cands, pick.excl = cands, excl
  return pick, whole
end
