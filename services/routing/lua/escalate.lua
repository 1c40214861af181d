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
--- @include "not_held"
--- @include "context"
--- @include "keys"
--- @include "emit"
--- @include "item_read"
--- @include "waiting_remove"
--- @include "unreserve"
--- @include "release"
--- @include "place"
--- @include "match_agent"
local P, id, agent, now, maxlen, reason, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]),
  ARGV[5], ARGV[6], ARGV[7]
local c = new_context(P, now, maxlen, ttl, 'escalate')
local ix = KEYS[1]
local item = item_read(c, id)
if not item then
  return {'not_found'}
end
local human = item.esc_queue
if not human or human == '' then
  return {'not_deflected'}
end
if redis.call('HEXISTS', ix, 'esc_ms') == 1 then
  return {'already_escalated', human}
end
local g = redis.call('HMGET', ix, 'ss_queue', 'esc_skills')
local q, ch, skills = item.queue, item.channel, g[2] or '{}'
if q ~= g[1] then
  return {'not_in_self_service', q or ''}
end
if agent ~= '' then
  local refusal = not_held(item.state, item.agent, 'assigned', agent)
  if refusal then
    return refusal
  end
  redis.call('HINCRBY', K.qs(P, q), 'inflight', -1)
elseif item.state == 'queued' then
  waiting_remove(c, item, q, ch, item.sig or '0')
  if item.reserved then
    unreserve(c, id, item.reserved)
    item.reserved = nil
  end
else
  return {'not_waiting', item.state}
end
-- Timers of the self-service queue must not act on the work in its new queue.
redis.call('ZREM', K.maxwait(P), id)
redis.call('ZREM', K.steps(P), id)
redis.call('HINCRBY', K.qs(P, q), 'escalated', 1)
local fields = {'queue', human, 'skills', skills, 'agent', '', 'esc_from', q, 'esc_to', human,
  'esc_by', agent, 'esc_ms', now, 'esc_reason', reason}
for i = 8, #ARGV - 1, 2 do
  fields[#fields + 1] = 'x:' .. ARGV[i]
  fields[#fields + 1] = ARGV[i + 1]
end
redis.call('HSET', ix, unpack(fields))
item.queue, item.skills, item.agent, item.esc_from = human, skills, '', q
emit(c, 'escalated', id, agent, human, ch, {'from_queue', q, 'reason', reason})
local gained = agent ~= '' and release(c, agent, ch)
local result = place(c, item, human, ch, tonumber(item.priority or '3'), skills)
if gained then
  match_agent(c, agent, gained)
end
return {'ok', result, human}
