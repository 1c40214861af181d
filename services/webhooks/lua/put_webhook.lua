-- Creates or replaces a webhook (Admin.PutWebhook). A new webhook gets the events after the
-- newest one of the feed now (its route's start id); the webhook workers' consumer group on the
-- feed is created with the first webhook, and moved to the feed's end when a tenant that had
-- none gets one again (nothing before it would be delivered to anyone).
-- KEYS[1] P:wh:routes  KEYS[2] P:wh:sub:<id>
-- ARGV[1] P  ARGV[2] id  ARGV[3] '1' create | '0' replace  ARGV[4] '1' enabled | '0' disabled
-- ARGV[5] event types csv ('' = every type)  ARGV[6] url  ARGV[7] the Webhook proto as given
-- ARGV[8] now ms  ARGV[9] secret (create)  ARGV[10] most webhooks a tenant may have
-- ARGV[11] consumer group
-- Returns {'ok', created_ms} | {'not_found'} | {'limit'} | {'exists'}
--- @include "keys"
local routes, sub = KEYS[1], KEYS[2]
local P, id = ARGV[1], ARGV[2]
local start
if ARGV[3] == '1' then
  if redis.call('EXISTS', sub) == 1 then
    return {'exists'}
  end
  local count = redis.call('HLEN', routes)
  if count >= tonumber(ARGV[10]) then
    return {'limit'}
  end
  local events = K.events(P)
  local newest = redis.call('XREVRANGE', events, '+', '-', 'COUNT', 1)[1]
  start = newest and newest[1] or '0-0'
  local made = redis.pcall('XGROUP', 'CREATE', events, ARGV[11], '$', 'MKSTREAM')
  if made.err and count == 0 then
    redis.call('XGROUP', 'SETID', events, ARGV[11], '$')
  end
  redis.call('HSET', sub, 'created_ms', ARGV[8], 'secret', ARGV[9])
  redis.call('HSET', K.wh_pending(P), id, 0)
else
  local route = redis.call('HGET', routes, id)
  if not route then
    return {'not_found'}
  end
  start = string.match(route, '^%d (%S+)')
end
redis.call('HSET', sub, 'url', ARGV[6], 'proto', ARGV[7], 'updated_ms', ARGV[8])
redis.call('HSET', routes, id, ARGV[4] .. ' ' .. start .. ' ' .. ARGV[5])
return {'ok', redis.call('HGET', sub, 'created_ms')}
