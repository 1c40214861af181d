-- The place of a waiting interaction in the order its queue serves its channel (GetInteraction):
-- 1 + the work served before it (waiting_ahead.lua) over every waiting set match.lua serves
-- the (queue, channel) from, its bullseye steps and skill signatures included. 0 when it is
-- not waiting there: not queued, or held for its preferred agent. Read-only. With a position,
-- also the queue's estimated wait inputs (P:ewt:<q>, written by the routing gauge loop), so
-- GetInteraction estimates the wait in the same round trip.
-- KEYS[1] P:ix:<id>
-- ARGV[1] P  ARGV[2] id
-- Returns {position, field, value, ...} (the inputs' fields; none when they are missing) | {0}.
--- @include "context"
--- @include "keys"
--- @include "step_queue"
--- @include "waiting_sets"
--- @include "waiting_ahead"
local P, id = ARGV[1], ARGV[2]
local f = redis.call('HMGET', KEYS[1], 'state', 'queue', 'channel', 'step', 'sig', 'reserved')
local q, ch = f[2], f[3]
if f[1] ~= 'queued' or not q or not ch or f[6] then
  return {0}
end
local score = redis.call('ZSCORE', K.waiting(P, step_queue(q, f[4]), ch, f[5] or '0'), id)
if not score then
  return {0}
end
local c = new_context(P, 0, 0, 0, 'queue_position')
local out = redis.call('HGETALL', K.ewt(P, q))
table.insert(out, 1, waiting_ahead(waiting_sets(c, q, ch), score, id) + 1)
return out
