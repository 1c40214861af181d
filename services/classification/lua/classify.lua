-- Records the classification of a received interaction, forwards it to the classified stream
-- and acknowledges the intake stream entry. Idempotent: an interaction that is no longer
-- 'received' (already classified, or canceled) is only acknowledged.
-- KEYS[1] P:ix:<id>  KEYS[2] P:s:intake  KEYS[3] P:s:classified  KEYS[4] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] intake entry id  ARGV[4] consumer group  ARGV[5] now ms
-- ARGV[6] event feed max length  ARGV[7] category  ARGV[8] priority 1..4
-- ARGV[9] required skills json  ARGV[10] queue  ARGV[11] rule name  ARGV[12] model intent
-- ARGV[13] its confidence  ARGV[14] source (rule|model|low_confidence|default)
-- ARGV[15] product area  ARGV[16] self-service eligible (1/0)
-- ARGV[17] escalation queue: set when the work is deflected to the self-service queue
--          ARGV[10]; the required skills ARGV[9] then apply only in that human queue
-- Returns 'classified' | 'skipped:<state>' | 'missing'
--- @include "context"
--- @include "emit"
local P, id, entry, group, now, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local c = new_context(P, now, maxlen, 0, 'classify')
local f = redis.call('HMGET', KEYS[1], 'state', 'channel')
local state, ch = f[1], f[2]
local result
if not state then
  result = 'missing'
elseif state ~= 'received' then
  result = 'skipped:' .. state
else
  local skills, esc = ARGV[9], ARGV[17] or ''
  local fields = {'state', 'classified', 'category', ARGV[7], 'priority', ARGV[8], 'skills',
    esc ~= '' and '{}' or skills, 'queue', ARGV[10], 'rule', ARGV[11], 'classified_ms', now,
    'intent', ARGV[12] or '', 'confidence', ARGV[13] or '0', 'source', ARGV[14] or 'default',
    'product_area', ARGV[15] or '', 'self_service', ARGV[16] or '0'}
  if esc ~= '' then
    for _, v in ipairs({'ss_queue', ARGV[10], 'esc_queue', esc, 'esc_skills', skills}) do
      fields[#fields + 1] = v
    end
  end
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('XADD', KEYS[3], '*', 'ix', id)
  emit(c, 'classified', id, '', ARGV[10], ch, {'category', ARGV[7], 'priority',
    ARGV[8], 'rule', ARGV[11], 'intent', ARGV[12] or '', 'confidence', ARGV[13] or '0',
    'source', ARGV[14] or 'default', 'escalation_queue', esc})
  result = 'classified'
end
-- Classification is the stream's only reader; acknowledged entries are trimmed away in bulk by
-- the consumer (common/trim_stream.lua), which costs less than an XDEL each.
redis.call('XACK', KEYS[2], group, entry)
return result
