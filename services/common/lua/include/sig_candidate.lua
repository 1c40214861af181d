--- @include "keys"
--- @include "defaults"
-- The best offer one (step queue, channel, signature) can make now: its best-ranked waiting
-- item with a free agent who has not declined it (the best-ranked such agent). Returns a pick
-- {score (as Redis wrote it), score_n (as a number), id, agent, cands, excl} (see
-- explain_record.lua) or nil; cands lists the agents looked at for that item, as far as its
-- record shows them (their scores are read only for the pick: Redis formats each score it
-- sends with printf).
local function sig_candidate(c, rq, ch, sig)
  local key = K.avail(c.P, rq, ch, sig)
  local names = redis.call('ZRANGE', key, 0, D.match_agents - 1)
  if #names == 0 then
    return nil
  end
  local items = redis.call('ZRANGE', K.waiting(c.P, rq, ch, sig), 0, D.match_items - 1,
    'WITHSCORES')
  for i = 1, #items, 2 do
    local id = items[i]
    local skip = K.skip(c.P, id)
    local chosen, excl
    if redis.call('EXISTS', skip) == 1 then
      for k = 1, #names do
        local until_ms = redis.call('ZSCORE', skip, names[k])
        if until_ms and tonumber(until_ms) > c.now then
          excl = excl or {}
          excl[2 * k - 1] = 'declined_until:' .. until_ms
        elseif not chosen then
          chosen = names[k]
        end
      end
    else
      chosen = names[1]
    end
    if chosen then
      local n = math.min(#names, D.explain_candidates)
      local scores = redis.call('ZMSCORE', key, unpack(names, 1, n))
      local cands = {}
      for k = 1, n do
        cands[2 * k - 1], cands[2 * k] = names[k], scores[k]
      end
      return {score = items[i + 1], score_n = tonumber(items[i + 1]), id = id, agent = chosen,
        cands = cands, excl = excl}
    end
  end
  return nil
end
