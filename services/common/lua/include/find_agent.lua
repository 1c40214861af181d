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
local function find_agent(c, item, rq, ch, sig, req)
  local active = sig == '0' or queue_config(c, rq).sigs[ch][sig]
  local index_sig = active and sig or '0'
  local key = K.avail(c.P, rq, ch, index_sig)
  local from, to = 0, D.explain_candidates - 1
  local flat = redis.call('ZRANGE', key, from, to, 'WITHSCORES')
  if active and not item.skipped then
    -- Every agent read is a candidate and none is passed over: the head is the pick.
    local whole = #flat < 2 * (to - from + 1)
    if #flat == 0 then
      return nil, whole
    end
    return {score = item.score, agent = flat[1], cands = flat, index_sig = index_sig,
      sig_req = req}, whole
  end
  local skips = {}
  if item.skipped then
    local s = redis.call('ZRANGE', K.skip(c.P, item.id), 0, -1, 'WITHSCORES')
    for i = 1, #s, 2 do
      skips[s[i]] = s[i + 1]
    end
  end
  local pick = {score = item.score, cands = {}, index_sig = index_sig, sig_req = req}
  local cands, n = pick.cands, 0
  while true do
    for k = 1, #flat, 2 do
      local agent = flat[k]
      -- Past the chosen agent, an unindexed signature's skills are checked only for agents
      -- read already: the record lists who was looked at, and looking costs a read per agent.
      if pick.agent and not active and not (c.skills[agent] or c.agent[agent]) then
        break
      end
      if active or skills_ok(c, agent, req) then
        cands[n + 1], cands[n + 2] = agent, flat[k + 1]
        if skips[agent] and tonumber(skips[agent]) > c.now then
          pick.excl = pick.excl or {}
          pick.excl[n + 1] = 'declined_until:' .. skips[agent]
        elseif not pick.agent then
          pick.agent = agent
        end
        n = n + 2
      end
    end
    local whole = #flat < 2 * (to - from + 1)
    if pick.agent or whole or to >= D.match_agents - 1 then
      return pick.agent and pick or nil, whole
    end
    from, to = to + 1, D.match_agents - 1
    flat = redis.call('ZRANGE', key, from, to, 'WITHSCORES')
  end
end
