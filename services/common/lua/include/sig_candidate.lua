--- @include "keys"
--- @include "defaults"
-- The best offer one (step queue, channel, signature) can make now: its best-ranked waiting
-- item with a free agent who has not declined it (the best-ranked such agent). Returns a pick
-- {score (as Redis wrote it), score_n (as a number), id, agent, candidates} or nil; candidates
-- lists the agents looked at for that item.
local function sig_candidate(c, rq, ch, sig)
  local flat = redis.call('ZRANGE', K.avail(c.P, rq, ch, sig), 0, D.match_agents - 1,
    'WITHSCORES')
  if #flat == 0 then
    return nil
  end
  local items = redis.call('ZRANGE', K.waiting(c.P, rq, ch, sig), 0, D.match_items - 1,
    'WITHSCORES')
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
      candidates[#candidates + 1] = {agent = agent, score = flat[k + 1],
        excluded = excluded}
      if excluded == '' and not chosen then
        chosen = agent
      end
    end
    if chosen then
      return {score = items[i + 1], score_n = tonumber(items[i + 1]), id = id, agent = chosen,
        candidates = candidates}
    end
  end
  return nil
end
