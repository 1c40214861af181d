-- Raw-Redis baseline for omniroute-bench: what one enqueue-and-match routing decision costs at
-- the Redis level, with none of omniroute's bookkeeping (no streams between services, no skill
-- checks, no capacity counters, no per-agent offer stream, no gRPC). omniroute-bench loads it
-- with SCRIPT LOAD and runs it through redis-benchmark:
--   redis-benchmark -r 100000 EVALSHA <sha> 5 {bench-raw}:q {bench-raw}:agents \
--     {bench-raw}:offered {bench-raw}:ix:__rand_int__ {bench-raw}:events
-- redis-benchmark puts a fresh random number in every __rand_int__, so the item id is taken from
-- KEYS[4] itself. With -r R the keyspace stays bounded: at most R item hashes and R members of
-- the offered set; the queue holds at most one item between calls; the event feed is capped.
-- KEYS[1] queue zset   KEYS[2] eligible agents zset (score = idle since)   KEYS[3] offered zset
-- KEYS[4] item hash    KEYS[5] event stream
-- Returns the chosen agent, or 'no_agent' when the agents zset is empty.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id = string.match(KEYS[4], '([^:]+)$')
-- Enqueue: order score = enqueue time.
redis.call('ZADD', KEYS[1], now, id)
-- Match: the longest-idle eligible agent and the head of the queue.
local agent = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
if not agent then
  return 'no_agent'
end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
-- Offer: move the item from the queue to the offered set (score = offer deadline), record the
-- offer on the item, make the agent the most recently busy one, and emit an event.
redis.call('ZREM', KEYS[1], head)
redis.call('ZADD', KEYS[3], now + 20000, head)
redis.call('HSET', KEYS[4], 'state', 'offered', 'agent', agent, 'offered_ms', now)
redis.call('ZADD', KEYS[2], now, agent)
redis.call('XADD', KEYS[5], 'MAXLEN', '~', 10000, '*', 'type', 'offered', 'ix', head, 'agent',
  agent)
return agent
