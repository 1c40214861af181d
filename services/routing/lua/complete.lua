-- Finishes an assigned interaction, frees the agent's capacity and offers it more work.
-- Deflected work finished in its self-service queue counts as deflected there.
-- KEYS[1] P:ix:<id>  KEYS[2] P:events
-- ARGV[1] P  ARGV[2] id  ARGV[3] agent  ARGV[4] now ms  ARGV[5] event feed max length
-- ARGV[6] retention seconds of finished interactions
-- Returns {'ok', 'ok'|'deflected', queue, handle ms (assigned to now), wrap-up ms} (also to a
-- retry by the agent that completed it, changing nothing; wrap-up as the queue now says)
-- | {'not_found'} | {'not_assigned', state} | {'wrong_agent'}
--- @include "read_held"
--- @include "context"
--- @include "keys"
--- @include "emit"
--- @include "queue_config"
--- @include "release"
--- @include "match_agent"
--- @include "release_light"
--- @include "num"
--- @include "fmt_int"
local P, id, agent, maxlen, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[5], ARGV[6]
local c = new_context(P, ARGV[4], maxlen, ttl, 'complete')
local now = c.now
local ix = KEYS[1]
local f, refusal = read_held(ix, 'assigned', agent, 'queue', 'channel', 'ss_queue',
  'assigned_ms', 'skipped')
if refusal then
  -- A retried complete whose first attempt succeeded (its answer was lost) answers as it did.
  if f[1] == 'completed' and f[2] == agent then
    local conf = queue_config(c, f[3])
    local ended = tonumber(redis.call('HGET', ix, 'ended_ms') or now)
    return {'ok', f[5] == f[3] and 'deflected' or 'ok', f[3],
      math.max(0, ended - tonumber(f[6] or ended)), conf and conf.wrap_ms or 0}
  end
  return refusal
end
local q, ch = f[3], f[4]
local conf = queue_config(c, q)
local wrap_ms = conf and conf.wrap_ms or 0
redis.call('HSET', ix, 'state', 'completed', 'ended_ms', c.now_s)
redis.call('EXPIRE', ix, ttl)
if f[7] then
  redis.call('DEL', K.skip(P, id))
end
-- The queue's counters, read and written once (the script is atomic). The average handle time
-- is exponentially weighted (weight 0.1 for the newest): the estimated wait gauge uses it.
local qs = K.qs(P, q)
local s = redis.call('HMGET', qs, 'aht_ms', 'completed', 'inflight', 'deflected')
local handle_ms = math.max(0, now - tonumber(f[6] or now))
local aht = tonumber(s[1] or '')
aht = aht and aht + 0.1 * (handle_ms - aht) or handle_ms
local counters = {'aht_ms', string.format('%.1f', aht), 'completed',
  fmt_int(num(s[2] or '0') + 1), 'inflight', fmt_int(num(s[3] or '0') - 1)}
local outcome = 'ok'
if f[5] == q then
  -- Deflected work finished in self-service: resolved without a human.
  counters[7], counters[8] = 'deflected', fmt_int(num(s[4] or '0') + 1)
  outcome = 'deflected'
end
redis.call('HSET', qs, unpack(counters))
emit(c, 'completed', id, agent, q, ch, nil)
if wrap_ms > 0 then
  -- After-call work holds the capacity until the wrap-up timer fires (end_wrapups.lua).
  local until_s = string.format('%d', now + wrap_ms)
  redis.call('ZADD', K.wrapups(P), until_s, agent .. '|' .. ch .. '|' .. id)
  emit(c, 'wrap_up_started', id, agent, q, ch, {'until', until_s})
  return {'ok', outcome, q, handle_ms, wrap_ms}
end
if not release_light(c, agent, ch) then
  match_agent(c, agent, release(c, agent, ch))
end
return {'ok', outcome, q, handle_ms, 0}
