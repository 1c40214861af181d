--- @include "keys"
--- @include "defaults"
--- @include "events"
--- @include "steps"
--- @include "waiting"
--- @include "agent_index"
-- Offers: a reservation of waiting work for one agent, with a deadline.

-- Offers waiting interaction `id` of step queue rq (channel ch, signature sig) to `agent`.
local function offer(c, id, agent, rq, ch, sig)
  local P = c.P
  local q = base_queue(rq)
  local ix = K.ix(P, id)
  local offer_ms = tonumber(redis.call('HGET', K.qc(P, q), 'offer_ms') or D.offer_ms)
  local deadline = c.now + offer_ms
  waiting_remove(c, q, ch, id, sig)
  redis.call('HINCRBY', K.qs(P, q), 'inflight', 1)
  redis.call('HSET', ix, 'state', 'offered', 'agent', agent, 'offered_ms', c.now, 'deadline_ms',
    deadline)
  redis.call('HINCRBY', K.agent(P, agent), 'load:' .. ch, 1)
  redis.call('HSET', K.agent(P, agent), 'offer_ms', c.now)
  agent_refresh(c, agent)
  redis.call('ZADD', K.timers(P), deadline, id)
  local f = redis.call('HMGET', ix, 'customer', 'subject', 'category', 'priority', 'esc_from')
  redis.call('XADD', K.offers(P, agent), 'MAXLEN', '~', D.offer_stream_len, '*', 'kind', 'offer',
    'ix', id, 'queue', q, 'ch', ch, 'deadline', deadline, 'customer', f[1] or '', 'subject',
    f[2] or '', 'category', f[3] or '', 'priority', f[4] or '0', 'esc_from', f[5] or '')
  emit(c, 'offered', id, agent, q, ch, {'deadline', deadline})
end

-- Tells the agent's desktop that an offer it was shown is withdrawn.
local function push_rescind(c, agent, id, reason)
  redis.call('XADD', K.offers(c.P, agent), 'MAXLEN', '~', D.offer_stream_len, '*', 'kind',
    'rescind', 'ix', id, 'reason', reason)
end
