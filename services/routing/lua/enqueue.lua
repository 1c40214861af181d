-- Puts a classified interaction in its queue (order score = now - priority head start), makes
-- any offer that is now possible, and acknowledges the classified stream entry. Idempotent:
-- an interaction past 'classified' is only acknowledged.
-- KEYS[1] P:ix:<id>  KEYS[2] P:s:classified  KEYS[3] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] stream entry id  ARGV[4] consumer group  ARGV[5] now ms
-- ARGV[6] event feed max length  ARGV[7] retention seconds of finished interactions
-- Returns 'queued' | 'rejected:<reason>' | 'skipped:<state>' | 'missing'
--- @include "context"
--- @include "keys"
--- @include "emit"
--- @include "queue_config"
--- @include "item_read"
--- @include "place"
local P, id, entry, group, now, maxlen, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4],
  tonumber(ARGV[5]), ARGV[6], ARGV[7]
local c = new_context(P, ARGV[5], maxlen, ttl, 'enqueue')
local item = item_read(c, id, ITEM_PLACE)
local result
if not item then
  result = 'missing'
elseif item.state ~= 'classified' then
  result = 'skipped:' .. item.state
else
  local q, ch, skills = item.queue, item.channel, item.skills or '{}'
  -- Deflected work whose self-service queue is gone or does not take its channel (a voice
  -- call and a chat-only bot) goes straight to its human queue.
  if item.esc_queue and item.esc_queue ~= '' then
    local conf = queue_config(c, q)
    if not conf or not conf.has[ch] then
      emit(c, 'deflection_skipped', id, '', item.esc_queue, ch, {'self_service_queue', q})
      redis.call('HDEL', KEYS[1], 'ss_queue', 'esc_queue')
      q, skills = item.esc_queue, redis.call('HGET', KEYS[1], 'esc_skills') or '{}'
      redis.call('HSET', KEYS[1], 'queue', q, 'skills', skills)
      item.queue, item.skills = q, skills
    end
  end
  result = place(c, item, q, ch, tonumber(item.priority or '3'), skills)
end
-- Routing is the stream's only reader; acknowledged entries are trimmed away in bulk by the
-- consumer (common/trim_stream.lua), which costs less than an XDEL each.
redis.call('XACK', KEYS[2], group, entry)
return result
