-- Fires due offer deadlines: each lapsed offer goes back to its queue, skips the agent for a
-- while, and counts a missed offer; max_missed consecutive misses set the agent away.
-- Idempotent: replicas racing for the same timer do no harm (the ZREM decides).
-- KEYS[1] P:timers  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] now ms  ARGV[3] max timers to fire  ARGV[4] event feed max length
-- ARGV[5] skip ms  ARGV[6] retention seconds of finished interactions
-- Also ends due preferred-agent reservations, enforces queue max waits, opens due bullseye
-- steps, re-matches work whose skip of an agent ended, and re-scores one chunk of waiting
-- work after a config change.
-- Returns the number of offers that lapsed.
--- @include "context"
--- @include "defaults"
--- @include "emit"
--- @include "tenant_config"
--- @include "item_read"
--- @include "skip_agent"
--- @include "push_rescind"
--- @include "requeue"
--- @include "agent_read"
--- @include "agent_set"
--- @include "agent_lists"
--- @include "release"
--- @include "match"
--- @include "match_agent"
--- @include "expire_reservations"
--- @include "expire_waits"
--- @include "advance_steps"
--- @include "end_skips"
--- @include "rescore_chunk"
local P, now, limit, maxlen, skip_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4],
  tonumber(ARGV[5])
local c = new_context(P, now, maxlen, ARGV[6], 'offer_timeout')
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local fired = 0
for _, id in ipairs(due) do
  local item = redis.call('ZREM', KEYS[1], id) == 1 and item_read(c, id)
  if item and item.state == 'offered' and tonumber(item.deadline_ms or '0') <= now then
    local agent, ch = item.agent, item.channel
    skip_agent(c, item, agent, now + skip_ms)
    push_rescind(c, agent, id, 'deadline')
    local q = requeue(c, item)
    emit(c, 'offer_timeout', id, agent, q, ch, nil)
    local a = agent_get(c, agent) or {}
    local missed = tonumber(a.missed or '0') + 1
    local max_missed = tenant_config(c).max_missed
    local away = max_missed > 0 and missed >= max_missed and a.state == 'available'
    local listed = away and redis.call('ZSCORE', K.agent_list(c.P, 'available'), agent)
    agent_set(c, agent, away and {'missed', missed, 'state', 'away', 'away_reason',
      'missed_offers'} or {'missed', missed})
    if away then
      agent_lists(c, agent, 'available', 'away', a.rqs, a.rqs, listed)
      emit(c, 'agent_state', '', agent, '', '', {'state', 'away', 'from', 'available',
        'reason', 'missed_offers'})
    end
    local gained = release(c, agent, ch)
    match(c, q, ch, D.match_budget)
    -- The freed capacity may serve work of the agent's other queues.
    match_agent(c, agent, gained)
    fired = fired + 1
  end
end
expire_reservations(c, limit)
expire_waits(c, limit)
advance_steps(c, limit)
end_skips(c, limit)
rescore_chunk(c, 200)
return fired
