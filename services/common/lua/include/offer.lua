--- @include "keys"
--- @include "defaults"
--- @include "emit"
--- @include "base_queue"
--- @include "queue_config"
--- @include "waiting_remove"
--- @include "agent_read"
--- @include "agent_set"
--- @include "agent_rerank"
--- @include "agent_reindex"
--- @include "tenant_config"
--- @include "agent_exclusive_room"
--- @include "explain_record"
--- @include "fmt_int"
-- Offers an interaction to an agent: a reservation with a deadline, recorded with why
-- (explain_record.lua). `item` is the interaction as read; `from` says where it is now:
-- 'waiting' (its waiting sets), 'age' (only the age set: it was reserved for this agent) or
-- nil (nowhere yet: placed and offered in one step). `fields` are more fields to write into
-- the interaction in the same HSET ({field, value, ...} or nil; none of those offer writes).
local OFFER_NO_FIELDS = {}

local function offer(c, item, agent, rq, ch, sig, trigger, pick, waiting, from, fields)
  local P = c.P
  local q = base_queue(rq)
  local id = item.id
  local deadline = string.format('%d', c.now + queue_config(c, q).offer_ms)
  if from == 'waiting' then
    waiting_remove(c, item, q, ch, sig)
  elseif from == 'age' then
    redis.call('ZREM', K.age(P, q, ch), id)
  end
  redis.call('HINCRBY', K.qs(P, q), 'inflight', '1')
  local ex_field, ex_json, exn = explain_record(c, trigger, item, rq, ch, sig, pick, waiting)
  redis.call('HSET', K.ix(P, id), ex_field, ex_json, 'exn', exn, 'state', 'offered', 'agent',
    agent, 'offered_ms', c.now_s, 'deadline_ms', deadline, unpack(fields or OFFER_NO_FIELDS))
  item.state, item.agent, item.deadline_ms = 'offered', agent, deadline
  local a = agent_get(c, agent)
  local load = a and a.load[ch] or 0
  local load_field, load_s = 'load:' .. ch, fmt_int(load + 1)
  if a and load + 1 < (a.cap[ch] or 0) and not (c.entries and c.entries[agent]) and (load > 0 or
      not tenant_config(c).exclusive[ch] and not agent_exclusive_room(c, a)) then
    -- It keeps free capacity on ch, and it held work there already or neither ch nor any
    -- channel it has room on is worked alone, so no channel becomes full or blocked: its index
    -- keys stay, only its rank changes (it was just offered work). Its hash and the run's copy
    -- are written directly (what agent_write would do with these two fields).
    a.load[ch], a.offer = load + 1, c.now
    redis.call('HSET', K.agent(P, agent), load_field, load_s, 'offer_ms', c.now_s)
    agent_rerank(c, agent, a)
  else
    agent_set(c, agent, {load_field, load_s, 'offer_ms', c.now_s})
    agent_reindex(c, agent)
  end
  redis.call('ZADD', K.timers(P), deadline, id)
  redis.call('XADD', K.offers(P, agent), 'MAXLEN', '~', D.offer_stream_len_s, '*', 'kind',
    'offer', 'ix', id, 'queue', q, 'ch', ch, 'deadline', deadline, 'customer', item.customer or '',
    'subject', item.subject or '', 'category', item.category or '', 'priority',
    item.priority or '0', 'esc_from', item.esc_from or '')
  emit(c, 'offered', id, agent, q, ch, {'deadline', deadline})
end
