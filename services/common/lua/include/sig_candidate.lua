--- @include "keys"
--- @include "defaults"
-- The best offer one (step queue, channel, signature) can make now: its best-ranked waiting
-- item with a free agent who has not declined it (the best-ranked such agent). Returns a pick
-- {score (as Redis wrote it), score_n (as a number), id, agent, cands, excl} (see
-- explain_record.lua) or nil; cands lists the agents looked at for that item.
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
    local chosen, excl
    if redis.call('EXISTS', skip) == 1 then
      for k = 1, #flat, 2 do
        local until_ms = redis.call('ZSCORE', skip, flat[k])
        if until_ms and tonumber(until_ms) > c.now then
          excl = excl or {}
          excl[k] = 'declined_until:' .. until_ms
        elseif not chosen then
          chosen = flat[k]
        end
      end
    else
      chosen = flat[1]
    end
    if chosen then
      return {score = items[i + 1], score_n = tonumber(items[i + 1]), id = id, agent = chosen,
        cands = flat, excl = excl}
    end
  end
  return nil
end
