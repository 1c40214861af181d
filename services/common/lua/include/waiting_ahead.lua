-- How many interactions of the waiting sets `keys` (waiting_sets.lua) are served before one
-- with order score `score` (as Redis wrote it) and id `id`: those with a lower score, and
-- those with the same score and a lower id (ids sort by arrival; a set orders equal scores so,
-- and match.lua breaks ties between sets the same way). O(sets x log n) plus the items that
-- share the score (work routed in one batch).
local function waiting_ahead(keys, score, id)
  local n = 0
  for _, key in ipairs(keys) do
    n = n + redis.call('ZCOUNT', key, '-inf', '(' .. score)
    for _, other in ipairs(redis.call('ZRANGE', key, score, score, 'BYSCORE')) do
      if other < id then
        n = n + 1
      end
    end
  end
  return n
end
