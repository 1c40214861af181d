-- Deletes a queue that has no waiting, offered or assigned work, with its step queues.
-- KEYS[1] P:qc:<q>  KEYS[2] P:queues
-- ARGV[1] P  ARGV[2] queue
-- Returns 'ok' | 'not_found' | 'not_empty'
local P, q = ARGV[1], ARGV[2]
if redis.call('SISMEMBER', KEYS[2], q) == 0 then
  return 'not_found'
end
if tonumber(redis.call('HGET', P .. ':qs:' .. q, 'inflight') or '0') > 0 then
  return 'not_empty'
end
local channels = queue_channels(P, q)
for _, ch in ipairs(channels) do
  if redis.call('ZCARD', P .. ':qt:' .. q .. ':' .. ch) > 0 then
    return 'not_empty'
  end
end
-- Agents lose the queue, its step queues, and the step queues of other queues that added it.
reindex_agents(P, function()
  for k = 0, tonumber(redis.call('HGET', KEYS[1], 'nvq') or '0') do
    local rq = step_queue(q, k)
    for _, ch in ipairs(channels) do
      -- Nothing waits, so only sig "0" remains (other sigs are dropped with their last item).
      redis.call('DEL', P .. ':qa:' .. rq .. ':' .. ch .. ':0', P .. ':q:' .. rq .. ':' .. ch ..
        ':0', sig_key(P, rq, ch))
    end
    if k > 0 then
      redis.call('DEL', P .. ':qc:' .. rq)
    end
  end
  for _, ch in ipairs(channels) do
    redis.call('DEL', P .. ':qt:' .. q .. ':' .. ch)
    redis.call('HDEL', P .. ':rescore', q .. '|' .. ch)
  end
  redis.call('DEL', KEYS[1], P .. ':qs:' .. q)
  redis.call('SREM', KEYS[2], q)
end)
return 'ok'
