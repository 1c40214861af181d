-- Deletes a queue that has no waiting, offered or assigned work.
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
for _, ch in ipairs(channels) do
  -- Nothing waits, so only sig "0" remains (other sigs are dropped with their last item).
  redis.call('DEL', P .. ':qa:' .. q .. ':' .. ch .. ':0', P .. ':q:' .. q .. ':' .. ch .. ':0',
    P .. ':qt:' .. q .. ':' .. ch, P .. ':qsig:' .. q .. ':' .. ch)
end
for _, agent in ipairs(redis.call('SMEMBERS', P .. ':agents')) do
  redis.call('SREM', P .. ':agq:' .. agent, q)
end
redis.call('DEL', KEYS[1], P .. ':qs:' .. q)
redis.call('SREM', KEYS[2], q)
return 'ok'
