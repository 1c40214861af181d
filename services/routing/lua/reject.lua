-- Declines an open offer: the interaction goes back to its queue in its old place and skips
-- this agent for a while; both the work and the agent are matched again at once.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] agent  ARGV[4] now ms  ARGV[5] event feed max length
-- ARGV[6] reason  ARGV[7] skip ms
-- Returns {'ok'} | {'not_found'} | {'not_offered', state} | {'wrong_agent'}
--- @include "not_held"
--- @include "context"
--- @include "defaults"
--- @include "emit"
--- @include "item_read"
--- @include "skip_agent"
--- @include "requeue"
--- @include "release"
--- @include "match"
--- @include "match_agent"
local P, id, agent, now, maxlen, reason, skip_ms = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]),
  ARGV[5], ARGV[6], tonumber(ARGV[7])
local c = new_context(P, now, maxlen, 0, 'reject')
local item = item_read(c, id)
local refusal = not_held(item and item.state, item and item.agent, 'offered', agent)
if refusal then
  return refusal
end
skip_agent(c, item, agent, now + skip_ms)
local q, ch = requeue(c, item)
emit(c, 'rejected', id, agent, q, ch, {'reason', reason})
local gained = release(c, agent, ch)
match(c, q, ch, D.match_budget)
match_agent(c, agent, gained)
return {'ok'}
