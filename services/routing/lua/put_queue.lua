-- Creates or replaces a queue and recomputes which agents are eligible for it.
-- O(agents of the tenant): an admin operation, never on the routing hot path.
-- KEYS[1] P:qc:<q>  KEYS[2] P:queues
-- ARGV[1] P  ARGV[2] queue  ARGV[3] channels csv  ARGV[4] skills json  ARGV[5] sla_ms
-- ARGV[6] offer_ms  ARGV[7] serialized Queue proto  ARGV[8] now ms  ARGV[9] event max length
-- ARGV[10] strategy (1..4, see admin.proto)  ARGV[11] wrap-up ms
-- ARGV[12] preferred-agent wait ms (0 = none)  ARGV[13] max waiting (0 = no limit)
-- ARGV[14] max wait ms (0 = no limit)  ARGV[15] overflow queue ('' = reject)
-- ARGV[16] open now (1/0, from its business hours)
-- Returns the number of eligible agents, or {'channel_in_use', ch} when the new definition
-- drops a channel that still has waiting work, or any channel while work is offered/assigned.
TRIGGER = 'queue_change'
local P, q, channels, skills, sla_ms, offer_ms, proto, now, maxlen = ARGV[1], ARGV[2], ARGV[3],
  ARGV[4], ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8]), ARGV[9]
local keep = {}
for ch in string.gmatch(channels, '[^,]+') do
  keep[ch] = true
end
local inflight = tonumber(redis.call('HGET', P .. ':qs:' .. q, 'inflight') or '0')
for _, ch in ipairs(queue_channels(P, q)) do
  if not keep[ch] and (inflight > 0 or redis.call('ZCARD', P .. ':qt:' .. q .. ':' .. ch) > 0) then
    return {'channel_in_use', ch}
  end
end
-- Take the queue's agents out of its old (queue, channel) indexes before the channels change.
for _, ch in ipairs(queue_channels(P, q)) do
  for sig, _ in pairs(active_sigs(P, q, ch)) do
    redis.call('DEL', P .. ':qa:' .. q .. ':' .. ch .. ':' .. sig)
  end
end
redis.call('HSET', KEYS[1], 'channels', channels, 'skills', skills, 'sla_ms', sla_ms, 'offer_ms',
  offer_ms, 'proto', proto, 'strategy', ARGV[10], 'wrap_ms', ARGV[11],
  'pref_ms', ARGV[12], 'max_waiting', ARGV[13], 'max_wait_ms', ARGV[14], 'overflow', ARGV[15], 'open', ARGV[16])
redis.call('SADD', KEYS[2], q)
local req = cjson.decode(skills)
local eligible = 0
for _, agent in ipairs(redis.call('SMEMBERS', P .. ':agents')) do
  if skills_ok(P, agent, req) then
    redis.call('SADD', P .. ':agq:' .. agent, q)
    eligible = eligible + 1
  else
    redis.call('SREM', P .. ':agq:' .. agent, q)
  end
  agent_refresh(P, agent)
end
for _, ch in ipairs(queue_channels(P, q)) do
  match(P, maxlen, now, q, ch, 1000)
end
return eligible
