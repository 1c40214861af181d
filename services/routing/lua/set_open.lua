-- Records whether a queue is open now (from its business hours), unless it was deleted.
-- KEYS[1] P:qc:<q>
-- ARGV[1] 1 (open) or 0 (closed)
-- Returns 1 when recorded.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'open', ARGV[1])
return 1
