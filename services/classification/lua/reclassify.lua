-- Records an agent's correction of a classified interaction: kept with the interaction and
-- appended, with the interaction's text and what classification had said, to the tenant's
-- corrections log (capped), from which corrections are exported for retraining.
-- KEYS[1] P:ix:<id>  KEYS[2] P:corrections  KEYS[3] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] agent  ARGV[4] now ms  ARGV[5] event feed max length
-- ARGV[6] corrections log max length  ARGV[7] intent  ARGV[8] category  ARGV[9] comment
-- Returns {'ok', log entry id, category, priority, queue, rule, intent, confidence, source,
-- product_area} (the classification as it was) | {'not_found'} | {'not_classified'}
--- @include "context"
--- @include "emit"
local P, id, agent, now, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local c = new_context(P, now, maxlen, 0, 'reclassify')
local ix = KEYS[1]
local f = redis.call('HMGET', ix, 'state', 'category', 'priority', 'queue', 'rule', 'intent',
  'confidence', 'source', 'product_area', 'subject', 'body', 'channel')
if not f[1] then
  return {'not_found'}
end
if f[1] == 'received' or not f[2] then
  return {'not_classified'}
end
local entry = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'ix', id, 'agent', agent,
  'at_ms', now, 'intent', ARGV[7], 'category', ARGV[8], 'comment', ARGV[9], 'from_intent',
  f[6] or '', 'from_confidence', f[7] or '0', 'from_category', f[2], 'from_source',
  f[8] or 'default', 'channel', f[12] or '0', 'subject', f[10] or '', 'body', f[11] or '')
redis.call('HSET', ix, 'corrected_intent', ARGV[7], 'corrected_category', ARGV[8],
  'corrected_by', agent, 'corrected_ms', now)
emit(c, 'reclassified', id, agent, f[4] or '', f[12] or '', {'intent', ARGV[7],
  'category', ARGV[8], 'from_intent', f[6] or '', 'from_category', f[2]})
return {'ok', entry, f[2], f[3] or '3', f[4] or '', f[5] or '', f[6] or '', f[7] or '0',
  f[8] or 'default', f[9] or ''}
