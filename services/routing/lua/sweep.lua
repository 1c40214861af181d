-- Safety net for work conservation: matches every (queue, channel) of the tenant, e.g. for
-- work that waited only because its skip entries had not yet lapsed. O(queues).
-- KEYS[1] P:queues  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] now ms  ARGV[3] event feed max length
-- Returns the number of offers made.
TRIGGER = 'sweep'
local P, now, maxlen = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local made = 0
for _, q in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, ch in ipairs(queue_channels(P, q)) do
    made = made + match(P, maxlen, now, q, ch, 100)
  end
end
return made
