--- @include "keys"
--- @include "defaults"
--- @include "emit"
--- @include "queue_config"
--- @include "admit"
--- @include "reject_by_policy"
--- @include "customer_profile"
--- @include "value_boost"
--- @include "order_score"
--- @include "skills_sig"
--- @include "schedule_step"
--- @include "preferred_agent"
--- @include "place_preferred"
--- @include "find_agent"
--- @include "offer"
--- @include "waiting_add"
--- @include "match"
--- @include "skills_req"
--- @include "fmt_int"
-- Puts an interaction into queue q (order score = now - priority head start), applying the
-- queue's limits and hours (overflow or rejection) and giving its preferred agent the first
-- chance; then makes the offer that is now possible. Work that arrives while nothing waits in
-- its (queue, channel) goes straight to the best free agent without entering the waiting sets
-- (any earlier work that agent could take would already have been offered to it). `item` is
-- the interaction as read (item_read.lua). Returns 'queued' or 'rejected:<reason>'.
local function place(c, item, q, ch, prio, skills)
  local P, now, id = c.P, c.now, item.id
  local conf = q and q ~= '' and queue_config(c, q)
  local reason, target, waiting
  if not conf then
    reason = 'queue_not_found'
  elseif not conf.has[ch] then
    reason = 'channel_not_accepted'
  else
    target, reason, waiting = admit(c, q, ch, nil)
  end
  if reason then
    reject_by_policy(c, item, q, ch, reason)
    return 'rejected:' .. reason
  end
  local fields
  if target ~= q then
    fields = {'queue', target}
    emit(c, 'overflowed', id, '', target, ch, {'from', q, 'reason',
      conf.open and 'queue_full' or 'closed'})
    q, conf = target, queue_config(c, target)
  end
  if conf.max_wait_ms > 0 then
    redis.call('ZADD', K.maxwait(P), string.format('%d', now + conf.max_wait_ms), id)
  end
  local profile = customer_profile(c, item.customer)
  local boost = value_boost(c, profile)
  local boost_s = boost == 0 and '0' or string.format('%.3f', boost)
  local _, score = order_score(c, conf, prio, now, boost_s)
  local sig = skills_sig(skills)
  item.queue, item.step, item.score, item.sig, item.queued_ms = q, '0', score, sig, c.now_s
  -- Its state ('queued') is written where it is not offered at once.
  if fields then
    fields[3], fields[4], fields[5], fields[6], fields[7], fields[8] = 'boost', boost_s,
      'queued_ms', c.now_s, 'score', score
    fields[9], fields[10], fields[11], fields[12] = 'sig', sig, 'step', '0'
  else
    fields = {'boost', boost_s, 'queued_ms', c.now_s, 'score', score, 'sig', sig, 'step', '0'}
  end
  if conf.steps > 0 then
    schedule_step(c, id, conf, now, 0, false)
  end
  emit(c, 'queued', id, '', q, ch, {'priority', fmt_int(prio), 'value_boost_s',
    boost == 0 and '0.0' or string.format('%.1f', boost)})
  local req = skills_req(skills)
  waiting = waiting or redis.call('ZCARD', K.age(P, q, ch))
  if place_preferred(c, item, conf, ch, sig, req, preferred_agent(c, item, profile), fields,
      waiting) then
    return 'queued'
  end
  local complete = true
  if waiting == 0 then
    local pick
    pick, complete = find_agent(c, item, q, ch, sig, req)
    if pick then
      offer(c, item, pick.agent, q, ch, sig, c.trigger, pick, 1, nil, fields)
      return 'queued'
    end
  end
  redis.call('HSET', K.ix(P, id), 'state', 'queued', unpack(fields))
  waiting_add(c, item, q, ch, score, c.now_s, sig, skills)
  if waiting > 0 or not complete then
    match(c, q, ch, D.match_budget)
  end
  return 'queued'
end
