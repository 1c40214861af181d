-- Fires due offer deadlines: each lapsed offer goes back to its queue, skips the agent for a
-- while, and counts a missed offer; max_missed consecutive misses set the agent away.
-- Idempotent: replicas racing for the same timer do no harm (the ZREM decides).
-- KEYS[1] P:timers  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] now ms  ARGV[3] max timers to fire  ARGV[4] event feed max length
-- ARGV[5] skip ms  ARGV[6] retention seconds of finished interactions
-- Also ends due preferred-agent reservations, enforces queue max waits, opens due bullseye
-- steps, re-matches work whose skip of an agent ended, and re-scores one chunk of waiting work after a config change.
-- Returns the number of offers that lapsed.
--- @include "context"
--- @include "keys"
--- @include "defaults"
--- @include "events"
--- @include "release"
--- @include "offer"
--- @include "match"
--- @include "match_agent"
--- @include "timers"
--- @include "rescore"
local P, now, limit, maxlen, skip_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4],
  tonumber(ARGV[5])
local c = new_context(P, now, maxlen, ARGV[6], 'offer_timeout')
local max_missed = tonumber(redis.call('HGET', K.cfg(P), 'max_missed') or D.max_missed)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local fired = 0
for _, id in ipairs(due) do
  if redis.call('ZREM', KEYS[1], id) == 1 then
    local ix = K.ix(P, id)
    local f = redis.call('HMGET', ix, 'state', 'agent', 'channel', 'deadline_ms')
    if f[1] == 'offered' and tonumber(f[4] or '0') <= now then
      local agent, ch = f[2], f[3]
      skip_agent(c, id, agent, now + skip_ms)
      push_rescind(c, agent, id, 'deadline')
      local q = requeue(c, id)
      emit(c, 'offer_timeout', id, agent, q, ch, nil)
      local missed = redis.call('HINCRBY', K.agent(P, agent), 'missed', 1)
      if max_missed > 0 and missed >= max_missed and
          redis.call('HGET', K.agent(P, agent), 'state') == 'available' then
        redis.call('HSET', K.agent(P, agent), 'state', 'away')
        emit(c, 'agent_state', '', agent, '', '', {'state', 'away', 'from',
          'available', 'reason', 'missed_offers'})
      end
      release(c, agent, ch)
      match(c, q, ch, D.match_budget)
      -- The freed capacity may serve work of the agent's other queues.
      match_agent(c, agent)
      fired = fired + 1
    end
  end
end
expire_reservations(c, limit)
expire_waits(c, limit)
advance_steps(c, limit)
end_skips(c, limit)
rescore_chunk(c, 200)
return fired
