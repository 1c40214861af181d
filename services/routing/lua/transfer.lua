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
--- @include "not_held"
--- @include "context"
--- @include "keys"
--- @include "emit"
--- @include "item_read"
--- @include "skip_agent"
--- @include "release"
--- @include "place"
--- @include "match_agent"
local P, id, agent, now, maxlen = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local to_queue, to_agent, skip_ms, ttl = ARGV[6], ARGV[7], tonumber(ARGV[8]), ARGV[9]
local c = new_context(P, now, maxlen, ttl, 'transfer')
local item = item_read(c, id)
local refusal = not_held(item and item.state, item and item.agent, 'assigned', agent)
if refusal then
  return refusal
end
local q, ch = item.queue, item.channel
if to_queue == '' then
  to_queue = q
end
redis.call('HINCRBY', K.qs(P, q), 'inflight', -1)
redis.call('HINCRBY', K.qs(P, q), 'transferred', 1)
skip_agent(c, item, agent, now + skip_ms)
-- A max-wait deadline left from before it was answered must not act on it in its new queue
-- (place sets the target's own).
redis.call('ZREM', K.maxwait(P), id)
redis.call('HSET', KEYS[1], 'agent', '', 'pref', to_agent, 'queue', to_queue)
item.agent, item.pref, item.queue = '', to_agent, to_queue
emit(c, 'transferred', id, agent, to_queue, ch, {'from_queue', q, 'to_agent', to_agent})
local gained = release(c, agent, ch)
local result = place(c, item, to_queue, ch, tonumber(item.priority or '3'), item.skills or '{}')
match_agent(c, agent, gained)
return {'ok', result}
