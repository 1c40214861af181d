-- Drops dead letters (Admin.DeleteWebhookDeadLetters).
-- KEYS[1] P:wh:dead
-- ARGV[1] P  ARGV[2..] delivery ids
-- Returns how many existed
--- @include "keys"
local n = 0
for i = 2, #ARGV do
  if redis.call('DEL', K.wh_dead_letter(ARGV[1], ARGV[i])) == 1 then
    redis.call('ZREM', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n
