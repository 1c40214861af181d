-- Leases up to `max` due webhook lanes to a worker: each lane's first delivery, with a fresh
-- token, becomes invisible to other workers for `lease` ms (the lane's due time moves there).
-- The worker settles it with the token (settle.lua); a worker that dies never does, and the
-- lane comes due again when the lease ends, for any worker. Lanes that are empty or whose
-- webhook was deleted are dropped here.
-- KEYS[1] P:wh:due
-- ARGV[1] P  ARGV[2] now ms  ARGV[3] lease ms  ARGV[4] most lanes
-- Returns {member, token, attempts so far, entry, url, secret, previous secret or '', ...}
-- (7 values per lease)
--- @include "keys"
--- @include "wh_owner"
local due_key = KEYS[1]
local P, now, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local lanes = K.wh_lanes(P)
local due = redis.call('ZRANGEBYSCORE', due_key, '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
local out, subs = {}, {}
for _, member in ipairs(due) do
  local id = wh_owner(member) or ''
  local sub = subs[id]
  if not sub then
    sub = redis.call('HMGET', K.wh_sub(P, id), 'url', 'secret', 'prev_secret', 'prev_until')
    subs[id] = sub
  end
  local lane = K.wh_lane(P, member)
  local head = redis.call('LINDEX', lane, 0)
  if not head or not sub[1] then
    redis.call('DEL', lane)
    redis.call('HDEL', lanes, member)
    redis.call('ZREM', due_key, member)
  else
    local state = redis.call('HGET', lanes, member)
    local attempts = state and string.match(state, ' (%d+)$') or '0'
    local token = redis.call('HINCRBY', K.wh_seq(P), 'token', 1)
    redis.call('HSET', lanes, member, token .. ' ' .. attempts)
    redis.call('ZADD', due_key, now + lease, member)
    local previous = ''
    if sub[3] and tonumber(sub[4] or '0') > now then
      previous = sub[3]
    end
    for _, v in ipairs({member, token, attempts, head, sub[1], sub[2] or '', previous}) do
      out[#out + 1] = v
    end
  end
end
return out
