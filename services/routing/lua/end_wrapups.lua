-- Ends due wrap-ups: frees the capacity each one held and offers the agent more work.
-- Idempotent: replicas racing for the same timer do no harm (the ZREM decides).
-- KEYS[1] P:wrapups  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] now ms  ARGV[3] max timers to fire  ARGV[4] event feed max length
-- Returns the number of wrap-ups ended.
--- @include "context"
--- @include "emit"
--- @include "release"
--- @include "match_agent"
--- @include "release_light"
local P, now, limit, maxlen = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local c = new_context(P, now, maxlen, 0, 'wrap_up_ended')
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
local ended = 0
for _, member in ipairs(due) do
  if redis.call('ZREM', KEYS[1], member) == 1 then
    local agent, ch, id = string.match(member, '^(.*)|(%d+)|(%x+)$')
    if agent then
      emit(c, 'wrap_up_ended', id, agent, '', ch, nil)
      if not release_light(c, agent, ch) then
        match_agent(c, agent, release(c, agent, ch))
      end
      ended = ended + 1
    end
  end
end
return ended
