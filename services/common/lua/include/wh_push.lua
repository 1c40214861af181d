--- @include "keys"
-- Appends a delivery (encoded event) to the end of its lane "<webhook id>|<lane>" and counts it
-- pending for webhook `id`; a lane that was empty becomes due at `now`. Returns the webhook's
-- pending count.
local function wh_push(P, id, member, entry, now)
  if redis.call('RPUSH', K.wh_lane(P, member), entry) == 1 then
    redis.call('ZADD', K.wh_due(P), 'NX', now, member)
  end
  return redis.call('HINCRBY', K.wh_pending(P), id, 1)
end
