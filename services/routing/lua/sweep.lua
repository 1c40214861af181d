-- Safety net for work conservation: matches every (queue, channel) of the tenant, e.g. for
-- work that waited only because its skip entries had not yet lapsed. O(queues).
-- KEYS[1] P:queues  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] now ms  ARGV[3] event feed max length
-- Returns the number of offers made.
--- @include "context"
--- @include "defaults"
--- @include "queue_config"
--- @include "match"
local P, now, maxlen = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local c = new_context(P, now, maxlen, 0, 'sweep')
local made = 0
for _, q in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local conf = queue_config(c, q)
  for _, ch in ipairs(conf and conf.channels or {}) do
    made = made + match(c, q, ch, D.match_budget)
  end
end
return made
