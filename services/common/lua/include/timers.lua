--- @include "keys"
--- @include "defaults"
--- @include "events"
--- @include "steps"
--- @include "scoring"
--- @include "waiting"
--- @include "admit"
--- @include "reserve"
--- @include "match"
--- @include "move_step"
-- Timers other than offer deadlines, fired by expire_offers.lua (each idempotent: the ZREM or
-- the state check decides, so replicas racing for a timer do no harm).

-- Hands reservations that ran out to every agent of their queue.
local function expire_reservations(c, limit)
  local P = c.P
  local due = redis.call('ZRANGEBYSCORE', K.pref_timers(P), '-inf', c.now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    local f = redis.call('HMGET', K.ix(P, id), 'reserved', 'queue', 'channel', 'score',
      'queued_ms', 'sig', 'skills')
    redis.call('ZREM', K.pref_timers(P), id)
    if f[1] then
      unreserve(c, id, f[1])
      waiting_add(c, f[2], f[3], id, tonumber(f[4]), tonumber(f[5]), f[6] or '0', f[7] or '{}')
      emit(c, 'reservation_expired', id, f[1], f[2], f[3], nil)
      match(c, f[2], f[3], D.match_budget)
    end
  end
  return #due
end

-- Moves interactions that waited longer than their queue's max wait to its overflow queue
-- (waiting starts again there) or ends them as rejected (max_wait_exceeded).
local function expire_waits(c, limit)
  local P, now = c.P, c.now
  local due = redis.call('ZRANGEBYSCORE', K.maxwait(P), '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', K.maxwait(P), id)
    local ix = K.ix(P, id)
    local f = redis.call('HMGET', ix, 'state', 'queue', 'channel', 'sig', 'reserved', 'priority',
      'skills', 'boost')
    if f[1] == 'queued' then
      local q, ch, sig = f[2], f[3], f[4] or '0'
      if f[5] then
        unreserve(c, id, f[5])
        redis.call('ZREM', K.age(P, q, ch), id)
      else
        waiting_remove(c, q, ch, id, sig)
      end
      local target, reason = admit(c, q, ch, 'max_wait_exceeded')
      if target then
        local score = order_score(c, target, f[6], now, f[8])
        redis.call('HSET', ix, 'queue', target, 'queued_ms', now, 'score', score, 'step', 0)
        schedule_step(c, id, target, now, 0)
        waiting_add(c, target, ch, id, score, now, sig, f[7] or '{}')
        emit(c, 'overflowed', id, '', target, ch, {'from', q, 'reason', 'max_wait'})
        local max_wait = tonumber(redis.call('HGET', K.qc(P, target), 'max_wait_ms') or '0')
        if max_wait > 0 then
          redis.call('ZADD', K.maxwait(P), now + max_wait, id)
        end
        match(c, target, ch, D.match_budget)
      else
        redis.call('HINCRBY', K.qs(P, q), 'expired', 1)
        redis.call('ZREM', K.steps(P), id)
        reject_by_policy(c, id, q, ch, reason)
      end
    end
  end
  return #due
end

-- Opens the bullseye steps whose wait threshold has passed: the interaction moves to the
-- step queue of the furthest step reached, where more agents may take it, and is matched at
-- once. Offered or reserved work only records its step (it enters that step queue if it
-- comes back). Idempotent like every timer: the ZREM decides.
local function advance_steps(c, limit)
  local P = c.P
  local due = redis.call('ZRANGEBYSCORE', K.steps(P), '-inf', c.now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    if redis.call('ZREM', K.steps(P), id) == 1 then
      local f = redis.call('HMGET', K.ix(P, id), 'state', 'queue', 'channel', 'step',
        'queued_ms', 'sig', 'skills', 'score', 'reserved')
      if f[1] == 'queued' or f[1] == 'offered' then
        local q, ch, queued_ms = f[2], f[3], tonumber(f[5])
        local step = tonumber(f[4] or '0')
        local reached = step_reached(c, q, c.now - queued_ms)
        if reached ~= step then
          if f[1] == 'queued' and not f[9] then
            move_step(c, id, q, ch, f[6] or '0', f[7] or '{}', tonumber(f[8]), queued_ms,
              reached)
          else
            redis.call('HSET', K.ix(P, id), 'step', reached)
          end
          emit(c, 'step_opened', id, '', q, ch, {'step', tostring(reached)})
        end
        schedule_step(c, id, q, queued_ms, reached)
        if f[1] == 'queued' then
          match(c, q, ch, D.match_budget, 'step_opened')
        end
      end
    end
  end
  return #due
end

-- Fires due skip ends: work still waiting is matched again.
local function end_skips(c, limit)
  local P = c.P
  local due = redis.call('ZRANGEBYSCORE', K.skip_timers(P), '-inf', c.now, 'LIMIT', 0, limit)
  for _, member in ipairs(due) do
    if redis.call('ZREM', K.skip_timers(P), member) == 1 then
      local id = string.match(member, '^([^|]+)|')
      local f = redis.call('HMGET', K.ix(P, id), 'state', 'queue', 'channel', 'reserved')
      if f[1] == 'queued' and not f[4] then
        match(c, f[2], f[3], D.match_budget, 'skip_ended')
      end
    end
  end
  return #due
end
