-- Records the classification of a batch of received interactions of one tenant, forwards each
-- to the classified stream and acknowledges their intake stream entries. Idempotent: an
-- interaction that is no longer 'received' (already classified, or canceled) is only
-- acknowledged.
-- KEYS[1] P:s:intake  KEYS[2] P:s:classified  KEYS[3] P:events
-- ARGV[1] P  ARGV[2] consumer group  ARGV[3] now ms  ARGV[4] event feed max length
-- then per interaction 13 values: id, intake entry id, category, priority 1..4, required
-- skills json, queue, rule name, model intent, its confidence, source (rule|model|
-- low_confidence|default), product area, self-service eligible (1/0), escalation queue (set
-- when the work is deflected to the self-service queue; the required skills then apply only
-- in that human queue)
-- Returns per interaction 'classified' | 'skipped:<state>' | 'missing'
--- @include "context"
--- @include "keys"
--- @include "emit"
local P, group = ARGV[1], ARGV[2]
local c = new_context(P, ARGV[3], ARGV[4], 0, 'classify')
local STRIDE = 13

local function classify_one(at)
  local id = ARGV[at]
  local ix = K.ix(P, id)
  local f = redis.call('HMGET', ix, 'state', 'channel')
  local state, ch = f[1], f[2]
  if not state then
    return 'missing'
  elseif state ~= 'received' then
    return 'skipped:' .. state
  end
  local category, priority, skills, queue = ARGV[at + 2], ARGV[at + 3], ARGV[at + 4], ARGV[at + 5]
  local rule, intent, confidence, source = ARGV[at + 6], ARGV[at + 7], ARGV[at + 8], ARGV[at + 9]
  local esc = ARGV[at + 12]
  local fields = {'state', 'classified', 'category', category, 'priority', priority, 'skills',
    esc ~= '' and '{}' or skills, 'queue', queue, 'rule', rule, 'classified_ms', c.now_s,
    'intent', intent, 'confidence', confidence, 'source', source, 'product_area',
    ARGV[at + 10], 'self_service', ARGV[at + 11]}
  if esc ~= '' then
    for _, v in ipairs({'ss_queue', queue, 'esc_queue', esc, 'esc_skills', skills}) do
      fields[#fields + 1] = v
    end
  end
  redis.call('HSET', ix, unpack(fields))
  redis.call('XADD', KEYS[2], '*', 'ix', id)
  emit(c, 'classified', id, '', queue, ch, {'category', category, 'priority', priority, 'rule',
    rule, 'intent', intent, 'confidence', confidence, 'source', source, 'escalation_queue', esc,
    'skills', skills})
  return 'classified'
end

local out, entries = {}, {KEYS[1], group}
for at = 5, #ARGV - STRIDE + 1, STRIDE do
  out[#out + 1] = classify_one(at)
  entries[#entries + 1] = ARGV[at + 1]
end
-- Classification is the stream's only reader; acknowledged entries are trimmed away in bulk by
-- the consumer (common/trim_stream.lua).
redis.call('XACK', unpack(entries))
return out
