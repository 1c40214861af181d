-- Gives a webhook a new signing secret (Admin.RotateWebhookSecret); the old one keeps signing
-- until `previous until` (0: not at all).
-- KEYS[1] P:wh:sub:<id>
-- ARGV[1] new secret  ARGV[2] previous until ms (0 = none)  ARGV[3] now ms
-- Returns 'ok' | 'not_found'
local sub = KEYS[1]
local old = redis.call('HGET', sub, 'secret')
if not old then
  return 'not_found'
end
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', sub, 'prev_secret', old, 'prev_until', ARGV[2])
else
  redis.call('HDEL', sub, 'prev_secret', 'prev_until')
end
redis.call('HSET', sub, 'secret', ARGV[1], 'updated_ms', ARGV[3])
return 'ok'
