-- Deletes a webhook (Admin.DeleteWebhook). Its lanes are dropped by claim.lua as they come due
-- (each webhook id is new, so no later webhook inherits them); its dead letters stay.
-- KEYS[1] P:wh:routes  KEYS[2] P:wh:sub:<id>
-- ARGV[1] P  ARGV[2] id
-- Returns 'ok' | 'not_found'
--- @include "keys"
local P, id = ARGV[1], ARGV[2]
if redis.call('HDEL', KEYS[1], id) == 0 then
  return 'not_found'
end
redis.call('DEL', KEYS[2])
redis.call('HDEL', K.wh_pending(P), id)
redis.call('HDEL', K.wh_dropped(P), id)
return 'ok'
