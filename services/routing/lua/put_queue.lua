-- Creates or replaces a queue (and its bullseye step queues) and recomputes which agents are
-- eligible for what. O(agents x queues of the tenant): an admin operation, never on the
-- routing hot path. Work already waiting is re-scored in the background (P:rescore).
-- KEYS[1] P:qc:<q>  KEYS[2] P:queues
-- ARGV[1] P  ARGV[2] queue  ARGV[3] channels csv  ARGV[4] skills json  ARGV[5] sla_ms
-- ARGV[6] offer_ms  ARGV[7] serialized Queue proto  ARGV[8] now ms  ARGV[9] event max length
-- ARGV[10] strategy (1..4, see admin.proto)  ARGV[11] wrap-up ms
-- ARGV[12] preferred-agent wait ms (0 = none)  ARGV[13] max waiting (0 = no limit)
-- ARGV[14] max wait ms (0 = no limit)  ARGV[15] overflow queue ('' = reject)
-- ARGV[16] open now (1/0, from its business hours)
-- ARGV[17] steps json: [{"ms": wait, "skills": {skill: min} left at the step, "add": csv}]
-- ARGV[18] head starts s for P1..P4 csv ('' = the tenant's)
-- Returns the number of agents eligible for the queue, or {'channel_in_use', ch} when the new
-- definition drops a channel that still has waiting work, or any channel while work is
-- offered/assigned.
--- @include "context"
--- @include "keys"
--- @include "queue_config"
--- @include "step_queue"
--- @include "reindex_agents"
--- @include "drop_retired_steps"
--- @include "match"
local P, q, channels, skills, sla_ms, offer_ms, proto, now, maxlen = ARGV[1], ARGV[2], ARGV[3],
  ARGV[4], ARGV[5], ARGV[6], ARGV[7], tonumber(ARGV[8]), ARGV[9]
local strategy, steps, heads = ARGV[10], cjson.decode(ARGV[17]), ARGV[18]
local c = new_context(P, now, maxlen, 0, 'queue_change')
local keep = {}
for ch in string.gmatch(channels, '[^,]+') do
  keep[ch] = true
end
local old = queue_config(c, q)
local inflight = tonumber(redis.call('HGET', K.qs(P, q), 'inflight') or '0')
for _, ch in ipairs(old and old.channels or {}) do
  if not keep[ch] and (inflight > 0 or redis.call('ZCARD', K.age(P, q, ch)) > 0) then
    return {'channel_in_use', ch}
  end
end
local old_nvq = old and old.nvq or 0
-- The active signatures of each (step) queue on the channels it keeps, as its 'sigs' field.
local kept_sigs = {}
for k = 0, math.max(#steps, old_nvq) do
  local rconf = queue_config(c, step_queue(q, k))
  local list = {}
  for ch, sigs in pairs(rconf and rconf.sigs or {}) do
    for sig, _ in pairs(keep[ch] and sigs or {}) do
      list[#list + 1] = ch .. ':' .. sig
    end
  end
  kept_sigs[k] = table.concat(list, ',')
end
reindex_agents(c, function()
  -- Drop the (now empty) agent indexes of channels the queue no longer has.
  for k = 0, old_nvq do
    local rq = step_queue(q, k)
    local rconf = queue_config(c, rq)
    for _, ch in ipairs(rconf and rconf.channels or {}) do
      if not keep[ch] then
        redis.call('DEL', K.avail(P, rq, ch, '0'), K.qsig(P, rq, ch))
      end
    end
  end
  redis.call('HSET', KEYS[1], 'channels', channels, 'skills', skills, 'sla_ms', sla_ms,
    'offer_ms', offer_ms, 'proto', proto, 'strategy', strategy, 'wrap_ms', ARGV[11],
    'pref_ms', ARGV[12], 'max_waiting', ARGV[13], 'max_wait_ms', ARGV[14], 'overflow', ARGV[15],
    'open', ARGV[16], 'steps', #steps, 'nvq', math.max(#steps, old_nvq), 'sigs', kept_sigs[0])
  redis.call('SADD', KEYS[2], q)
  redis.call('HDEL', KEYS[1], 'head:1', 'head:2', 'head:3', 'head:4')
  local prio = 1
  for h in string.gmatch(heads, '[^,]+') do
    redis.call('HSET', KEYS[1], 'head:' .. prio, h)
    prio = prio + 1
  end
  -- Step queues; those beyond the new last step are retired: they keep the widest rules for
  -- the work still in them until the re-score has moved it, then they are dropped.
  for k = 1, math.max(#steps, old_nvq) do
    local st = steps[math.min(k, #steps)]
    local vq = K.qc(P, q .. '#' .. k)
    redis.call('HDEL', KEYS[1], 'step_ms:' .. k)
    redis.call('DEL', vq)
    if st then
      redis.call('HSET', vq, 'channels', channels, 'strategy', strategy, 'skills',
        cjson.encode(st.skills), 'add', st.add, 'retired', k > #steps and '1' or '0', 'sigs',
        kept_sigs[k])
      if k <= #steps then
        redis.call('HSET', KEYS[1], 'step_ms:' .. k, st.ms)
      end
    else
      -- No steps any more: retired step queues take the queue's own rules.
      redis.call('HSET', vq, 'channels', channels, 'strategy', strategy, 'skills', skills, 'add',
        '', 'retired', '1', 'sigs', kept_sigs[k])
    end
  end
  for k = 0, math.max(#steps, old_nvq) do
    queue_config_touch(c, step_queue(q, k))
  end
end)
-- Work already waiting follows the new head starts and steps (see rescore_chunk).
for ch, _ in pairs(keep) do
  if redis.call('ZCARD', K.age(P, q, ch)) > 0 then
    redis.call('HSET', K.rescore(P), q .. '|' .. ch, '')
  end
end
drop_retired_steps(c, q)
for ch, _ in pairs(keep) do
  match(c, q, ch, 1000)
end
local eligible = 0
for _, agent in ipairs(redis.call('SMEMBERS', K.agents(P))) do
  if redis.call('SISMEMBER', K.agent_queues(P, agent), q) == 1 then
    eligible = eligible + 1
  end
end
return eligible
