-- Transfers an assigned interaction to a queue and/or an agent: the current agent's capacity
-- is freed and the interaction is placed again as new work of the target queue (default: its
-- current one), with the target agent as its preferred agent. The transferring agent is
-- skipped for it for a while.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] agent  ARGV[4] now ms  ARGV[5] event feed max length
-- ARGV[6] target queue ('' = same)  ARGV[7] target agent ('' = none)  ARGV[8] skip ms
-- ARGV[9] retention seconds of finished interactions
-- Returns {'ok', 'queued' | 'rejected:<reason>'} | {'not_found'} | {'not_assigned', state}
-- | {'wrong_agent'}
--- @include "context"
--- @include "keys"
--- @include "events"
--- @include "release"
--- @include "place"
--- @include "match_agent"
local P, id, agent, now, maxlen = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local to_queue, to_agent, skip_ms, ttl = ARGV[6], ARGV[7], tonumber(ARGV[8]), ARGV[9]
local c = new_context(P, now, maxlen, ttl, 'transfer')
local ix = KEYS[1]
local f = redis.call('HMGET', ix, 'state', 'agent', 'queue', 'channel', 'priority', 'skills')
if not f[1] then
  return {'not_found'}
end
if f[1] ~= 'assigned' then
  return {'not_assigned', f[1]}
end
if f[2] ~= agent then
  return {'wrong_agent'}
end
local q, ch = f[3], f[4]
if to_queue == '' then
  to_queue = q
end
redis.call('HINCRBY', K.qs(P, q), 'inflight', -1)
redis.call('HINCRBY', K.qs(P, q), 'transferred', 1)
skip_agent(c, id, agent, now + skip_ms)
-- A max-wait deadline left from before it was answered must not act on it in its new queue
-- (place sets the target's own).
redis.call('ZREM', K.maxwait(P), id)
redis.call('HSET', ix, 'agent', '', 'pref', to_agent, 'queue', to_queue)
emit(c, 'transferred', id, agent, to_queue, ch, {'from_queue', q, 'to_agent',
  to_agent})
release(c, agent, ch)
local result = place(c, id, to_queue, ch, tonumber(f[5] or '3'), f[6] or '{}')
match_agent(c, agent)
return {'ok', result}
