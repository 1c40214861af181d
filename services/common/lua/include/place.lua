--- @include "keys"
--- @include "queue_config"
--- @include "events"
--- @include "steps"
--- @include "scoring"
--- @include "skills"
--- @include "waiting"
--- @include "admit"
--- @include "reserve"
--- @include "match"
--- @include "defaults"
-- Placing work in a queue.

-- Puts an interaction into queue q (order score = now - priority head start), applying the
-- queue's limits and hours (overflow or rejection) and giving its preferred agent the first
-- chance; then makes any offer now possible. Returns 'queued' or 'rejected:<reason>'.
local function place(c, id, q, ch, prio, skills)
  local P, now = c.P, c.now
  local ix = K.ix(P, id)
  local reason, target
  if not q or q == '' or redis.call('SISMEMBER', K.queues(P), q) == 0 then
    reason = 'queue_not_found'
  elseif not accepts_channel(c, q, ch) then
    reason = 'channel_not_accepted'
  else
    target, reason = admit(c, q, ch, nil)
  end
  if reason then
    reject_by_policy(c, id, q, ch, reason)
    return 'rejected:' .. reason
  end
  if target ~= q then
    redis.call('HSET', ix, 'queue', target)
    local why = redis.call('HGET', K.qc(P, q), 'open') == '0' and 'closed' or 'queue_full'
    emit(c, 'overflowed', id, '', target, ch, {'from', q, 'reason', why})
    q = target
  end
  local max_wait = tonumber(redis.call('HGET', K.qc(P, q), 'max_wait_ms') or '0')
  if max_wait > 0 then
    redis.call('ZADD', K.maxwait(P), now + max_wait, id)
  end
  local boost = value_boost(c, redis.call('HGET', ix, 'customer'))
  redis.call('HSET', ix, 'boost', boost)
  local score = order_score(c, q, prio, now, boost)
  local sig = skills_sig(skills)
  redis.call('HSET', ix, 'state', 'queued', 'queued_ms', now, 'score', score, 'sig', sig, 'step',
    0)
  schedule_step(c, id, q, now, 0)
  emit(c, 'queued', id, '', q, ch, {'priority', tostring(prio), 'value_boost_s',
    string.format('%.1f', boost)})
  -- The preferred agent (named, or the customer's last) gets the first chance: at once when
  -- free, else the work is reserved for it until the queue's preferred-agent wait ends.
  -- Only a logged-in, available agent who may serve the queue and the work is waited for.
  local pref = preferred_agent(c, id)
  local skipped = pref and redis.call('ZSCORE', K.skip(P, id), pref)
  if skipped and tonumber(skipped) > now then
    pref = nil  -- it declined or transferred this interaction
  end
  local pref_ms = tonumber(redis.call('HGET', K.qc(P, q), 'pref_ms') or '0')
  local eligible = pref and redis.call('HGET', K.agent(P, pref), 'state') == 'available' and
    redis.call('SISMEMBER', K.agent_queues(P, pref), q) == 1 and
    (sig == '0' or skills_ok(c, pref, cjson.decode(skills)))
  if eligible and redis.call('ZSCORE', K.avail(P, q, ch, '0'), pref) then
    offer_preferred(c, id, pref, q, ch, sig, score)
  elseif eligible and pref_ms > 0 then
    redis.call('ZADD', K.age(P, q, ch), now, id)
    redis.call('ZADD', K.pref(P, pref), score, id)
    redis.call('ZADD', K.pref_timers(P), now + pref_ms, id)
    redis.call('HSET', ix, 'reserved', pref)
    emit(c, 'reserved', id, pref, q, ch, {'until', tostring(now + pref_ms)})
  else
    waiting_add(c, q, ch, id, score, now, sig, skills)
    match(c, q, ch, D.match_budget)
  end
  return 'queued'
end
