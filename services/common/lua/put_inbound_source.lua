-- Creates or replaces a source of provider webhooks, refusing a new one past the tenant's cap.
-- KEYS[1] P:insrc (hash: name -> InboundSource, wire format)
-- ARGV[1] name  ARGV[2] the source (wire format)  ARGV[3] the most sources a tenant may have
-- Returns 'created' | 'replaced' | 'full'
local name, value, max = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('HEXISTS', KEYS[1], name) == 1 then
  redis.call('HSET', KEYS[1], name, value)
  return 'replaced'
end
if redis.call('HLEN', KEYS[1]) >= max then
  return 'full'
end
redis.call('HSET', KEYS[1], name, value)
return 'created'
