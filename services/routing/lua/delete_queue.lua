-- Deletes a queue that has no waiting, offered or assigned work, with its step queues.
-- KEYS[1] P:qc:<q>  KEYS[2] P:queues
-- ARGV[1] P  ARGV[2] queue
-- Returns 'ok' | 'not_found' | 'not_empty'
--- @include "context"
--- @include "keys"
--- @include "queue_config"
--- @include "step_queue"
--- @include "reindex_agents"
local P, q = ARGV[1], ARGV[2]
local c = new_context(P, 0, 0, 0, 'queue_change')
if redis.call('SISMEMBER', KEYS[2], q) == 0 then
  return 'not_found'
end
if tonumber(redis.call('HGET', K.qs(P, q), 'inflight') or '0') > 0 then
  return 'not_empty'
end
local conf = queue_config(c, q)
local channels = conf and conf.channels or {}
for _, ch in ipairs(channels) do
  if redis.call('ZCARD', K.age(P, q, ch)) > 0 then
    return 'not_empty'
  end
end
-- Agents lose the queue, its step queues, and the step queues of other queues that added it.
reindex_agents(c, function()
  for k = 0, conf and conf.nvq or 0 do
    local rq = step_queue(q, k)
    for _, ch in ipairs(channels) do
      -- Nothing waits, so only sig "0" remains (other sigs are dropped with their last item).
      redis.call('DEL', K.avail(P, rq, ch, '0'), K.waiting(P, rq, ch, '0'),
        K.qsig(P, rq, ch))
    end
    if k > 0 then
      redis.call('DEL', K.qc(P, rq))
    end
  end
  for _, ch in ipairs(channels) do
    redis.call('DEL', K.age(P, q, ch))
    redis.call('HDEL', K.rescore(P), q .. '|' .. ch)
  end
  redis.call('DEL', KEYS[1], K.qs(P, q))
  redis.call('SREM', KEYS[2], q)
end)
return 'ok'
