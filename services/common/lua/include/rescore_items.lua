-- The next items of a re-score after `cursor` ("<score>|<id>", '' = from the start) in an age
-- index (queued time, id order): a flat {id, score, ...} list; when only ties at or before the
-- cursor were found, also the cursor to continue from and how many were looked at.
local function rescore_items(qt, cursor, budget)
  local last_score, last_id = string.match(cursor, '^(.-)|(.*)$')
  local rank = last_id and redis.call('ZRANK', qt, last_id)
  if not last_id then
    return redis.call('ZRANGE', qt, 0, budget - 1, 'WITHSCORES')
  elseif rank then
    return redis.call('ZRANGE', qt, rank + 1, rank + budget, 'WITHSCORES')
  end
  -- The cursor's item left: resume after it in (score, id) order.
  local items = {}
  local flat = redis.call('ZRANGEBYSCORE', qt, last_score, '+inf', 'WITHSCORES', 'LIMIT', 0,
    budget)
  for i = 1, #flat, 2 do
    if tonumber(flat[i + 1]) > tonumber(last_score) or flat[i] > last_id then
      items[#items + 1] = flat[i]
      items[#items + 1] = flat[i + 1]
    end
  end
  if #items == 0 and #flat == budget then
    return items, flat[#flat] .. '|' .. flat[#flat - 1], #flat / 2
  end
  return items
end
