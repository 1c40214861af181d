-- Records whether a queue is open now (from its business hours), unless it was deleted.
-- KEYS[1] P:qc:<q>
-- ARGV[1] P  ARGV[2] queue  ARGV[3] 1 (open) or 0 (closed)
-- Returns 1 when recorded.
--- @include "context"
--- @include "queue_config_touch"
if redis.call('HGET', KEYS[1], 'open') == ARGV[3] then
  return 1
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
queue_config_touch(new_context(ARGV[1], 0, 0, 0, 'queue_change'), ARGV[2], {'open', ARGV[3]})
return 1
