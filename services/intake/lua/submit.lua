-- Stores a new interaction (joining the customer's open conversation, if any) and appends it
-- to the tenant's intake stream, or returns the interaction an earlier request with the same
-- idempotency key created.
-- KEYS[1] P:ix:<id>   KEYS[2] P:idem:<key> (or KEYS[1] when no key)   KEYS[3] P:s:intake
-- KEYS[4] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] idempotency key ('' = none)  ARGV[4] request fingerprint
-- ARGV[5] now ms  ARGV[6] event feed max length  ARGV[7] requested queue ('' = none)
-- ARGV[8..] field, value pairs of the interaction hash
-- Returns {'created', id} | {'duplicate', id} | {'conflict', id} | {'no_queue', queue}
--- @include "context"
--- @include "keys"
--- @include "defaults"
--- @include "emit"
local P, id, idem, fp, now, maxlen, req_queue = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5],
  ARGV[6], ARGV[7]
local c = new_context(P, now, maxlen, 0, 'submit')
if idem ~= '' then
  local existing = redis.call('GET', KEYS[2])
  if existing then
    local old_fp = redis.call('HGET', K.ix(P, existing), 'fp')
    if old_fp and old_fp ~= fp then
      return {'conflict', existing}
    end
    return {'duplicate', existing}
  end
end
if req_queue ~= '' and redis.call('SISMEMBER', K.queues(P), req_queue) == 0 then
  return {'no_queue', req_queue}
end
local fields = {'id', id, 'state', 'received', 'created_ms', now, 'fp', fp, 'idem', idem}
local customer, ch
for i = 8, #ARGV - 1, 2 do
  local name, value = ARGV[i], ARGV[i + 1]
  fields[#fields + 1] = name
  fields[#fields + 1] = value
  if name == 'customer' then
    customer = value
  elseif name == 'channel' then
    ch = value
  end
end
-- Conversation continuity: the customer's interactions within the tenant's window (from the
-- last one) form one conversation, across channels.
if customer and customer ~= '' then
  local window = tonumber(redis.call('HGET', K.cfg(P), 'conv_window') or D.conv_window)
  if window > 0 then
    local ckey = K.conv(P, customer)
    local conversation = redis.call('GETEX', ckey, 'EX', window)
    if not conversation then
      conversation = id
      redis.call('SET', ckey, id, 'EX', window)
    end
    fields[#fields + 1] = 'conversation'
    fields[#fields + 1] = conversation
  end
end
redis.call('HSET', KEYS[1], unpack(fields))
if idem ~= '' then
  redis.call('SET', KEYS[2], id, 'EX', 86400)
end
redis.call('XADD', KEYS[3], '*', 'ix', id)
emit(c, 'submitted', id, '', '', ch, nil)
return {'created', id}
