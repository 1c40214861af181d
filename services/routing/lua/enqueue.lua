-- Puts a batch of classified interactions of one tenant in their queues (order score = now -
-- priority head start), makes the offers that become possible, and acknowledges their
-- classified stream entries. Idempotent: an interaction past 'classified' is only
-- acknowledged.
-- KEYS[1] P:s:classified  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] consumer group  ARGV[3] now ms  ARGV[4] event feed max length
-- ARGV[5] retention seconds of finished interactions, then per interaction: id, entry id
-- Returns per interaction 'queued' | 'rejected:<reason>' | 'skipped:<state>' | 'missing'
--- @include "context"
--- @include "keys"
--- @include "emit"
--- @include "queue_config"
--- @include "item_read"
--- @include "place"
local P, group = ARGV[1], ARGV[2]
local c = new_context(P, ARGV[3], ARGV[4], ARGV[5], 'enqueue')

local function enqueue_one(id)
  local item = item_read(c, id, ITEM_PLACE)
  if not item then
    return 'missing'
  elseif item.state ~= 'classified' then
    return 'skipped:' .. item.state
  end
  local q, ch, skills = item.queue, item.channel, item.skills or '{}'
  -- Deflected work whose self-service queue is gone or does not take its channel (a voice
  -- call and a chat-only bot) goes straight to its human queue.
  if item.esc_queue and item.esc_queue ~= '' then
    local conf = queue_config(c, q)
    if not conf or not conf.has[ch] then
      local ix = K.ix(P, id)
      emit(c, 'deflection_skipped', id, '', item.esc_queue, ch, {'self_service_queue', q})
      redis.call('HDEL', ix, 'ss_queue', 'esc_queue')
      q, skills = item.esc_queue, redis.call('HGET', ix, 'esc_skills') or '{}'
      redis.call('HSET', ix, 'queue', q, 'skills', skills)
      item.queue, item.skills = q, skills
    end
  end
  return place(c, item, q, ch, tonumber(item.priority or '3'), skills)
end

local out, entries = {}, {KEYS[1], group}
for at = 6, #ARGV - 1, 2 do
  out[#out + 1] = enqueue_one(ARGV[at])
  entries[#entries + 1] = ARGV[at + 1]
end
-- Routing is the stream's only reader; acknowledged entries are trimmed away in bulk by the
-- consumer (common/trim_stream.lua).
redis.call('XACK', unpack(entries))
return out
