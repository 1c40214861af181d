-- Tier-0 escalation: moves deflected work out of its self-service queue to the human queue
-- classification chose for it. A bot holding it (assigned) is freed; work still waiting there
-- leaves the queue. The same interaction (same id, same conversation) is then placed as new
-- work of the human queue with its required skills, and the bot's reason and context are
-- recorded with it (fields esc_* and x:<key>).
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] agent ('' = work still waiting)  ARGV[4] now ms
-- ARGV[5] event feed max length  ARGV[6] reason  ARGV[7] retention seconds of finished
-- interactions  ARGV[8..] context: key, value, ...
-- Returns {'ok', 'queued' | 'rejected:<reason>', human queue} | {'not_found'}
-- | {'not_deflected'} | {'already_escalated', queue} | {'not_in_self_service', queue}
-- | {'not_assigned', state} | {'wrong_agent'} | {'not_waiting', state}
--- @include "context"
--- @include "keys"
--- @include "events"
--- @include "waiting"
--- @include "reserve"
--- @include "release"
--- @include "place"
--- @include "match_agent"
local P, id, agent, now, maxlen, reason, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]),
  ARGV[5], ARGV[6], ARGV[7]
local c = new_context(P, now, maxlen, ttl, 'escalate')
local ix = KEYS[1]
local f = redis.call('HMGET', ix, 'state', 'agent', 'queue', 'channel', 'priority', 'ss_queue',
  'esc_queue', 'esc_skills', 'esc_ms', 'sig', 'reserved')
if not f[1] then
  return {'not_found'}
end
if not f[7] or f[7] == '' then
  return {'not_deflected'}
end
if f[9] then
  return {'already_escalated', f[7]}
end
if f[3] ~= f[6] then
  return {'not_in_self_service', f[3] or ''}
end
local q, ch, human, skills = f[3], f[4], f[7], f[8] or '{}'
if agent ~= '' then
  if f[1] ~= 'assigned' then
    return {'not_assigned', f[1]}
  end
  if f[2] ~= agent then
    return {'wrong_agent'}
  end
  redis.call('HINCRBY', K.qs(P, q), 'inflight', -1)
elseif f[1] == 'queued' then
  waiting_remove(c, q, ch, id, f[10] or '0')
  if f[11] then
    unreserve(c, id, f[11])
  end
else
  return {'not_waiting', f[1]}
end
-- Timers of the self-service queue must not act on the work in its new queue.
redis.call('ZREM', K.maxwait(P), id)
redis.call('ZREM', K.steps(P), id)
redis.call('HINCRBY', K.qs(P, q), 'escalated', 1)
redis.call('HSET', ix, 'queue', human, 'skills', skills, 'agent', '', 'esc_from', q, 'esc_to',
  human, 'esc_by', agent, 'esc_ms', now, 'esc_reason', reason)
for i = 8, #ARGV - 1, 2 do
  redis.call('HSET', ix, 'x:' .. ARGV[i], ARGV[i + 1])
end
emit(c, 'escalated', id, agent, human, ch, {'from_queue', q, 'reason', reason})
if agent ~= '' then
  release(c, agent, ch)
end
local result = place(c, id, human, ch, tonumber(f[5] or '3'), skills)
if agent ~= '' then
  match_agent(c, agent)
end
return {'ok', result, human}
