-- Settles a leased lane's first delivery (claim.lua) with the lease's token; a token that is
-- no longer the lane's (the lease ended and another worker took the lane, or the lane was
-- dropped) changes nothing. Delivered or dead: the delivery leaves the lane and the next one
-- is due at once; dead also parks it as a dead letter (the newest `cap` are kept). Retry: the
-- lane waits until `due` with one more attempt counted.
-- KEYS[1] P:wh:due
-- ARGV[1] P  ARGV[2] member  ARGV[3] token  ARGV[4] 'delivered' | 'retry' | 'dead'
-- ARGV[5] now ms  ARGV[6] retry: due ms; dead: delivery id
-- ARGV[7] dead: the WebhookDeadLetter proto  ARGV[8] dead: most dead letters kept
-- Returns 'ok' | 'stale'
--- @include "keys"
--- @include "wh_owner"
local due_key = KEYS[1]
local P, member, outcome = ARGV[1], ARGV[2], ARGV[4]
local lanes = K.wh_lanes(P)
local state = redis.call('HGET', lanes, member)
local token, attempts = string.match(state or '', '^(%d+) (%d+)$')
if token ~= ARGV[3] then
  return 'stale'
end
if outcome == 'retry' then
  redis.call('HSET', lanes, member, token .. ' ' .. (tonumber(attempts) + 1))
  redis.call('ZADD', due_key, ARGV[6], member)
  return 'ok'
end
local lane = K.wh_lane(P, member)
local entry = redis.call('LPOP', lane)
local id = wh_owner(member)
if entry and redis.call('HEXISTS', K.wh_pending(P), id) == 1 then
  redis.call('HINCRBY', K.wh_pending(P), id, -1)
end
if entry and outcome == 'dead' then
  local dead = K.wh_dead(P)
  local seq = redis.call('HINCRBY', K.wh_seq(P), 'dead', 1)
  redis.call('HSET', K.wh_dead_letter(P, ARGV[6]), 'proto', ARGV[7], 'member', member, 'entry',
    entry)
  redis.call('ZADD', dead, seq, ARGV[6])
  local over = redis.call('ZCARD', dead) - tonumber(ARGV[8])
  if over > 0 then
    local oldest = redis.call('ZPOPMIN', dead, over)
    for i = 1, #oldest, 2 do
      redis.call('DEL', K.wh_dead_letter(P, oldest[i]))
    end
  end
end
if redis.call('LLEN', lane) == 0 then
  redis.call('HDEL', lanes, member)
  redis.call('ZREM', due_key, member)
else
  redis.call('HSET', lanes, member, token .. ' 0')
  redis.call('ZADD', due_key, ARGV[5], member)
end
return 'ok'
