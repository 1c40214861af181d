-- Queues dead letters for delivery again (Admin.RedeliverWebhookDeadLetters): each goes to the
-- end of its lane with its attempts starting over, and leaves the dead letters. One whose
-- webhook was deleted stays.
-- KEYS[1] P:wh:dead
-- ARGV[1] P  ARGV[2] now ms  ARGV[3..] delivery ids
-- Returns one of 'ok' | 'not_found' | 'deleted' per id
--- @include "keys"
--- @include "wh_owner"
--- @include "wh_push"
local P, now = ARGV[1], ARGV[2]
local routes = K.wh_routes(P)
local out = {}
for i = 3, #ARGV do
  local key = K.wh_dead_letter(P, ARGV[i])
  local d = redis.call('HMGET', key, 'member', 'entry')
  local id = d[1] and wh_owner(d[1])
  if not id or not d[2] then
    out[#out + 1] = 'not_found'
  elseif redis.call('HEXISTS', routes, id) == 0 then
    out[#out + 1] = 'deleted'
  else
    wh_push(P, id, d[1], d[2], now)
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], ARGV[i])
    out[#out + 1] = 'ok'
  end
end
return out
