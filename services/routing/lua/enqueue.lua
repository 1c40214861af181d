-- Puts a classified interaction in its queue (order score = now - priority head start), makes
-- any offer that is now possible, and acknowledges the classified stream entry. Idempotent:
-- an interaction past 'classified' is only acknowledged.
-- KEYS[1] P:ix:<id>  KEYS[2] P:s:classified  KEYS[3] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] stream entry id  ARGV[4] consumer group  ARGV[5] now ms
-- ARGV[6] event feed max length  ARGV[7] retention seconds of finished interactions
-- Returns 'queued' | 'rejected:<reason>' | 'skipped:<state>' | 'missing'
TRIGGER = 'enqueue'
local P, id, entry, group, now, maxlen, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4],
  tonumber(ARGV[5]), ARGV[6], ARGV[7]
local ix = KEYS[1]
local f = redis.call('HMGET', ix, 'state', 'queue', 'channel', 'priority', 'skills')
local state, q, ch, prio, skills = f[1], f[2], f[3], tonumber(f[4] or '3'), f[5] or '{}'
local result
if not state then
  result = 'missing'
elseif state ~= 'classified' then
  result = 'skipped:' .. state
else
  local reason, target
  if not q or q == '' or redis.call('SISMEMBER', P .. ':queues', q) == 0 then
    reason = 'queue_not_found'
  elseif not accepts_channel(P, q, ch) then
    reason = 'channel_not_accepted'
  else
    target, reason = admit(P, q, ch, nil)
  end
  if reason then
    reject_by_policy(P, maxlen, now, id, q, ch, reason, ttl)
    result = 'rejected:' .. reason
  else
    if target ~= q then
      redis.call('HSET', ix, 'queue', target)
      local why = redis.call('HGET', P .. ':qc:' .. q, 'open') == '0' and 'closed' or 'queue_full'
      emit(P, maxlen, now, 'overflowed', id, '', target, ch, {'from', q, 'reason', why})
      q = target
    end
    local max_wait = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'max_wait_ms') or '0')
    if max_wait > 0 then
      redis.call('ZADD', P .. ':maxwait', now + max_wait, id)
    end
    local head = tonumber(redis.call('HGET', P .. ':cfg', 'head:' .. prio) or
      DEFAULT_HEAD_START[prio] or 0)
    local score = now - head * 1000
    local sig = skills_sig(skills)
    redis.call('HSET', ix, 'state', 'queued', 'queued_ms', now, 'score', score, 'sig', sig)
    emit(P, maxlen, now, 'queued', id, '', q, ch, {'priority', tostring(prio)})
    -- The preferred agent (named, or the customer's last) gets the first chance: at once when
    -- free, else the work is reserved for it until the queue's preferred-agent wait ends.
    local pref = preferred_agent(P, id)
    local pref_ms = tonumber(redis.call('HGET', P .. ':qc:' .. q, 'pref_ms') or '0')
    -- Only a logged-in, available agent who may serve the queue and the work is waited for.
    local eligible = pref and redis.call('HGET', P .. ':ag:' .. pref, 'state') == 'available' and
      redis.call('SISMEMBER', P .. ':agq:' .. pref, q) == 1 and
      (sig == '0' or skills_ok(P, pref, cjson.decode(skills)))
    if eligible and redis.call('ZSCORE', P .. ':qa:' .. q .. ':' .. ch .. ':0', pref) then
      TRIGGER = 'preferred_agent'
      offer_preferred(P, maxlen, now, id, pref, q, ch, sig, score)
    elseif eligible and pref_ms > 0 then
      redis.call('ZADD', P .. ':qt:' .. q .. ':' .. ch, now, id)
      redis.call('ZADD', P .. ':pref:' .. pref, score, id)
      redis.call('ZADD', P .. ':preft', now + pref_ms, id)
      redis.call('HSET', ix, 'reserved', pref)
      emit(P, maxlen, now, 'reserved', id, pref, q, ch, {'until', tostring(now + pref_ms)})
    else
      waiting_add(P, q, ch, id, score, now, sig, skills)
      match(P, maxlen, now, q, ch, 100)
    end
    result = 'queued'
  end
end
redis.call('XACK', KEYS[2], group, entry)
-- Routing is the stream's only reader: drop the entry so the stream holds only work in flight.
redis.call('XDEL', KEYS[2], entry)
return result
