-- Fires due offer deadlines: each lapsed offer goes back to its queue, skips the agent for a
-- while, and counts a missed offer; max_missed consecutive misses set the agent away.
-- Idempotent: replicas racing for the same timer do no harm (the ZREM decides).
-- KEYS[1] P:timers  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] now ms  ARGV[3] max timers to fire  ARGV[4] event feed max length
-- ARGV[5] skip ms  ARGV[6] retention seconds of finished interactions
-- Also ends due preferred-agent reservations, enforces queue max waits, opens due bullseye
-- steps, re-matches work whose skip of an agent ended, and re-scores one chunk of waiting work after a config change.
-- Returns the number of offers that lapsed.
TRIGGER = 'offer_timeout'
local P, now, limit, maxlen, skip_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4],
  tonumber(ARGV[5])
local max_missed = tonumber(redis.call('HGET', P .. ':cfg', 'max_missed') or '3')
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local fired = 0
for _, id in ipairs(due) do
  if redis.call('ZREM', KEYS[1], id) == 1 then
    local ix = P .. ':ix:' .. id
    local f = redis.call('HMGET', ix, 'state', 'agent', 'channel', 'deadline_ms')
    if f[1] == 'offered' and tonumber(f[4] or '0') <= now then
      local agent, ch = f[2], f[3]
      skip_agent(P, id, agent, now + skip_ms)
      push_rescind(P, agent, id, 'deadline')
      local q = requeue(P, id, now)
      emit(P, maxlen, now, 'offer_timeout', id, agent, q, ch, nil)
      local missed = redis.call('HINCRBY', P .. ':ag:' .. agent, 'missed', 1)
      if max_missed > 0 and missed >= max_missed and
          redis.call('HGET', P .. ':ag:' .. agent, 'state') == 'available' then
        redis.call('HSET', P .. ':ag:' .. agent, 'state', 'away')
        emit(P, maxlen, now, 'agent_state', '', agent, '', '', {'state', 'away', 'from',
          'available', 'reason', 'missed_offers'})
      end
      release(P, agent, ch, now)
      match(P, maxlen, now, q, ch, 100)
      -- The freed capacity may serve work of the agent's other queues.
      match_agent(P, maxlen, now, agent)
      fired = fired + 1
    end
  end
end
expire_reservations(P, maxlen, now, limit)
expire_waits(P, maxlen, now, limit, ARGV[6])
advance_steps(P, maxlen, now, limit)
end_skips(P, maxlen, now, limit)
rescore_chunk(P, maxlen, now, 200)
return fired
