-- Stores a batch of new interactions of one tenant (each joining its customer's open
-- conversation, if any) and appends each to the tenant's intake stream; a submission whose
-- idempotency key an earlier one (in this batch or before) used returns that interaction.
-- KEYS[1] P:s:intake  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] now ms  ARGV[3] event feed max length  ARGV[4] submissions in the batch
-- ARGV[5] the caller's deadline, unix ms by Redis's clock (0 = none), then per submission: id, idempotency key ('' = none), request fingerprint, requested queue
-- ('' = none), number of field/value pairs n, then the n pairs of the interaction hash
-- Returns per submission {'created', id} | {'duplicate', id} | {'conflict', id}
-- | {'no_queue', queue}; or 'expired' (nothing stored) when Redis runs it after the deadline
--- @include "context"
--- @include "keys"
--- @include "tenant_config"
--- @include "emit"
--- @include "fmt_int"
local P, maxlen = ARGV[1], ARGV[3]
local c = new_context(P, ARGV[2], maxlen, 0, 'submit')

-- One submission: ARGV[at..]; returns its reply and where the next one starts.
local function submit_one(at)
  local id, idem, fp, req_queue = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  local n = tonumber(ARGV[at + 4])
  local next_at = at + 5 + 2 * n
  local idem_key = idem ~= '' and K.idem(P, idem)
  if idem_key then
    -- Without a requested queue to check first, the key is claimed at once (SET NX GET: the
    -- earlier interaction's id, or nothing when this one took the key).
    local existing
    if req_queue == '' then
      existing = redis.call('SET', idem_key, id, 'NX', 'GET', 'EX', '86400')
    else
      existing = redis.call('GET', idem_key)
    end
    if existing then
      local old_fp = redis.call('HGET', K.ix(P, existing), 'fp')
      if old_fp and old_fp ~= fp then
        return {'conflict', existing}, next_at
      end
      return {'duplicate', existing}, next_at
    end
  end
  if req_queue ~= '' and redis.call('SISMEMBER', K.queues(P), req_queue) == 0 then
    return {'no_queue', req_queue}, next_at
  end
  local fields = {'id', id, 'state', 'received', 'created_ms', c.now_s, 'fp', fp, 'idem', idem,
    unpack(ARGV, at + 5, next_at - 1)}
  local customer, ch
  for i = at + 5, next_at - 1, 2 do
    local name = ARGV[i]
    if name == 'customer' then
      customer = ARGV[i + 1]
    elseif name == 'channel' then
      ch = ARGV[i + 1]
    end
  end
  -- Conversation continuity: the customer's interactions within the tenant's window (from the
  -- last one) form one conversation, across channels.
  local window = customer and customer ~= '' and tenant_config(c).conv_window or 0
  if window > 0 then
    local ckey = K.conv(P, customer)
    local window_s = fmt_int(window)
    local conversation = redis.call('GETEX', ckey, 'EX', window_s)
    if not conversation then
      conversation = id
      redis.call('SET', ckey, id, 'EX', window_s)
    end
    local n = #fields
    fields[n + 1], fields[n + 2] = 'conversation', conversation
  end
  redis.call('HSET', K.ix(P, id), unpack(fields))
  if idem_key and req_queue ~= '' then
    redis.call('SET', idem_key, id, 'EX', '86400')
  end
  redis.call('XADD', KEYS[1], '*', 'ix', id)
  emit(c, 'submitted', id, '', '', ch, nil)
  return {'created', id}, next_at
end

local deadline = tonumber(ARGV[5])
if deadline > 0 then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > deadline then
    return 'expired'
  end
end
local out = {}
local at = 6
for i = 1, tonumber(ARGV[4]) do
  out[i], at = submit_one(at)
end
return out
