-- Lists the work waiting in a queue in the order it will be served (ListWaiting): channel
-- after channel (ascending), and within a channel in the order match.lua serves it, order score
-- then id over every waiting set of the (queue, channel) (waiting_sets.lua), so a position is
-- 1 + the work served before it on its channel (waiting_ahead.lua). Work held for its
-- preferred agent waits in no such set and is not listed. Read-only; O(sets x (log n + page)).
-- KEYS[1] P:qc:<q>
-- ARGV[1] P  ARGV[2] queue  ARGV[3] channel ('' = every channel of the queue)  ARGV[4] page size
-- ARGV[5] ARGV[6] ARGV[7] list after this channel, order score (as Redis wrote it) and id
-- ('' = from the start)
-- Returns {'not_found'} | {'no_channel'} | {'ok', waiting (every waiting interaction of the
-- channels listed, reserved ones included), in the serving order (those that can be listed),
-- more (1 when items follow the page), then per item: id, channel, position, order score,
-- priority, bullseye step, queued ms}
--- @include "context"
--- @include "keys"
--- @include "queue_config"
--- @include "waiting_sets"
--- @include "waiting_ahead"
local P, q, only, size = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local after_ch, after_score, after_id = tonumber(ARGV[5]), ARGV[6], ARGV[7]
local c = new_context(P, 0, 0, 0, 'list_waiting')
local conf = queue_config(c, q)
if not conf then
  return {'not_found'}
end
local channels = {}
for _, ch in ipairs(conf.channels) do
  if only == '' or ch == only then
    channels[#channels + 1] = ch
  end
end
if #channels == 0 then
  return {'no_channel'}
end
table.sort(channels, function(x, y) return tonumber(x) < tonumber(y) end)

-- Up to `limit` items of the sets after (score, id) (nil: from the start), merged in serving
-- order: {id, score as a number, score as Redis wrote it}.
local function next_items(keys, score, id, limit)
  local all = {}
  for _, key in ipairs(keys) do
    local flat
    if score then
      for _, other in ipairs(redis.call('ZRANGE', key, score, score, 'BYSCORE')) do
        if other > id then
          all[#all + 1] = {other, tonumber(score), score}
        end
      end
      flat = redis.call('ZRANGE', key, '(' .. score, '+inf', 'BYSCORE', 'LIMIT', 0, limit,
        'WITHSCORES')
    else
      flat = redis.call('ZRANGE', key, 0, limit - 1, 'WITHSCORES')
    end
    for i = 1, #flat, 2 do
      all[#all + 1] = {flat[i], tonumber(flat[i + 1]), flat[i + 1]}
    end
  end
  table.sort(all, function(x, y) return x[2] < y[2] or x[2] == y[2] and x[1] < y[1] end)
  return all
end

local waiting, ordered, more, out = 0, 0, 0, {'ok', 0, 0, 0}
local room = size
for _, ch in ipairs(channels) do
  waiting = waiting + redis.call('ZCARD', K.age(P, q, ch))
  local keys = waiting_sets(c, q, ch)
  local in_sets = 0
  for _, key in ipairs(keys) do
    in_sets = in_sets + redis.call('ZCARD', key)
  end
  ordered = ordered + in_sets
  local n = tonumber(ch)
  if in_sets > 0 and room == 0 and not (after_ch and n <= after_ch) then
    more = 1  -- (a channel after the page's)
  elseif in_sets > 0 and not (after_ch and n < after_ch) then
    local items = next_items(keys, n == after_ch and after_score or nil, after_id, room + 1)
    local base = #items > 0 and waiting_ahead(keys, items[1][3], items[1][1]) or 0
    for i = 1, math.min(room, #items) do
      local it = items[i]
      local f = redis.call('HMGET', K.ix(P, it[1]), 'priority', 'step', 'queued_ms')
      for _, v in ipairs({it[1], ch, base + i, it[3], f[1] or '', f[2] or '0', f[3] or ''}) do
        out[#out + 1] = v
      end
    end
    more = #items > room and 1 or more
    room = room - math.min(room, #items)
  end
end
out[2], out[3], out[4] = waiting, ordered, more
return out
