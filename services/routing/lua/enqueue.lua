-- Puts a classified interaction in its queue (order score = now - priority head start), makes
-- any offer that is now possible, and acknowledges the classified stream entry. Idempotent:
-- an interaction past 'classified' is only acknowledged.
-- KEYS[1] P:ix:<id>  KEYS[2] P:s:classified  KEYS[3] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] stream entry id  ARGV[4] consumer group  ARGV[5] now ms
-- ARGV[6] event feed max length  ARGV[7] retention seconds of finished interactions
-- Returns 'queued' | 'rejected:<reason>' | 'skipped:<state>' | 'missing'
--- @include "context"
--- @include "keys"
--- @include "queue_config"
--- @include "events"
--- @include "place"
local P, id, entry, group, now, maxlen, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4],
  tonumber(ARGV[5]), ARGV[6], ARGV[7]
local c = new_context(P, now, maxlen, ttl, 'enqueue')
local ix = KEYS[1]
local f = redis.call('HMGET', ix, 'state', 'queue', 'channel', 'priority', 'skills', 'esc_queue',
  'esc_skills')
local state, q, ch, prio, skills = f[1], f[2], f[3], tonumber(f[4] or '3'), f[5] or '{}'
local result
if not state then
  result = 'missing'
elseif state ~= 'classified' then
  result = 'skipped:' .. state
else
  -- Deflected work whose self-service queue is gone or does not take its channel (a voice
  -- call and a chat-only bot) goes straight to its human queue.
  if f[6] and f[6] ~= '' and (redis.call('SISMEMBER', K.queues(P), q) == 0 or
      not accepts_channel(c, q, ch)) then
    emit(c, 'deflection_skipped', id, '', f[6], ch, {'self_service_queue', q})
    redis.call('HDEL', ix, 'ss_queue', 'esc_queue')
    redis.call('HSET', ix, 'queue', f[6], 'skills', f[7] or '{}')
    q, skills = f[6], f[7] or '{}'
  end
  result = place(c, id, q, ch, prio, skills)
end
redis.call('XACK', KEYS[2], group, entry)
-- Routing is the stream's only reader: drop the entry so the stream holds only work in flight.
redis.call('XDEL', KEYS[2], entry)
return result
