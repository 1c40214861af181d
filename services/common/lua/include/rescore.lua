--- @include "keys"
--- @include "defaults"
--- @include "events"
--- @include "queue_config"
--- @include "steps"
--- @include "scoring"
--- @include "memberships"
--- @include "match"
--- @include "move_step"
-- Background re-scoring of waiting work after a config change (P:rescore), and the removal of
-- retired bullseye step queues once they are empty.

-- Deletes the retired step queues of q (beyond its steps, kept after the steps were
-- shortened) once no work waits in them.
local function drop_retired_steps(c, q)
  local P = c.P
  local n = tonumber(redis.call('HGET', K.qc(P, q), 'steps') or '0')
  local nvq = tonumber(redis.call('HGET', K.qc(P, q), 'nvq') or '0')
  if nvq <= n then
    return
  end
  local channels = queue_channels(c, q)
  for k = n + 1, nvq do
    local vq = q .. '#' .. k
    for _, ch in ipairs(channels) do
      if redis.call('HLEN', K.qsig(P, vq, ch)) > 0 or
          redis.call('ZCARD', K.waiting(P, vq, ch, '0')) > 0 then
        return
      end
    end
  end
  reindex_agents(c, function()
    for k = n + 1, nvq do
      local vq = q .. '#' .. k
      for _, ch in ipairs(channels) do
        redis.call('DEL', K.avail(P, vq, ch, '0'), K.qsig(P, vq, ch))
      end
      redis.call('DEL', K.qc(P, vq))
    end
    redis.call('HSET', K.qc(P, q), 'nvq', n)
  end)
end

-- The next items of a re-score after `cursor` ("<score>|<id>", '' = from the start) in the age
-- index qt, (queued time, id) order: a flat {id, score, ...} list, and, when only ties at or
-- before the cursor were found, the cursor to continue from.
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

-- Re-scores up to `budget` waiting interactions of one (queue, channel) listed in P:rescore
-- after a config change: new head starts give a new order score, new steps a new step queue.
-- Walks P:qt:<q>:<ch> in (queued time, id) order from the saved cursor, so each call costs
-- O(budget x log n) and work enqueued after the change (scored by the new config) is passed
-- over cheaply. Returns the number of interactions looked at.
local function rescore_chunk(c, budget)
  local P, now = c.P, c.now
  local field = redis.call('HRANDFIELD', K.rescore(P))
  if not field then
    return 0
  end
  local q, ch = string.match(field, '^(.*)|(%d+)$')
  local items, tie_cursor, tie_seen = rescore_items(K.age(P, q, ch),
    redis.call('HGET', K.rescore(P), field) or '', budget)
  if tie_cursor then
    -- Only ties at or before the cursor: continue past them next time.
    redis.call('HSET', K.rescore(P), field, tie_cursor)
    return tie_seen
  end
  for i = 1, #items, 2 do
    local id = items[i]
    local f = redis.call('HMGET', K.ix(P, id), 'state', 'priority', 'queued_ms', 'score',
      'step', 'sig', 'skills', 'reserved', 'boost')
    if f[1] == 'queued' then
      local queued_ms = tonumber(f[3])
      local score = order_score(c, q, f[2], queued_ms, f[9])
      local step = step_reached(c, q, now - queued_ms)
      local sig = f[6] or '0'
      if f[8] then
        redis.call('HSET', K.ix(P, id), 'score', score, 'step', step)
        redis.call('ZADD', K.pref(P, f[8]), score, id)
      elseif step ~= tonumber(f[5] or '0') then
        redis.call('HSET', K.ix(P, id), 'score', score)
        move_step(c, id, q, ch, sig, f[7] or '{}', score, queued_ms, step)
      elseif score ~= tonumber(f[4]) then
        redis.call('HSET', K.ix(P, id), 'score', score)
        redis.call('ZADD', K.waiting(P, step_queue(q, step), ch, sig), score, id)
      end
      schedule_step(c, id, q, queued_ms, step)
    end
  end
  local seen = #items / 2
  if seen < budget then
    redis.call('HDEL', K.rescore(P), field)
    emit(c, 'rescored', '', '', q, ch, nil)
    drop_retired_steps(c, q)
  else
    redis.call('HSET', K.rescore(P), field, items[#items] .. '|' .. items[#items - 1])
  end
  match(c, q, ch, D.match_budget, 'rescore')
  return seen
end
