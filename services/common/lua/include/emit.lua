--- @include "keys"
-- Appends an event to the tenant's feed (capped at c.maxlen, approximately): type, at, then
-- ix, agent, queue and ch where given (nil and '' are left out), then `extra` ({field, value,
-- ...} or nil). Values are strings (see context.lua). The usual shapes go to redis.call
-- directly: an argument table built up for each event costs more than the XADD itself.
local EMIT_NONE = {}

local function emit(c, etype, id, agent, queue, ch, extra)
  local key = c.events_key
  if not key then
    key = K.events(c.P)
    c.events_key = key
  end
  local has_id, has_agent = id and id ~= '', agent and agent ~= ''
  local has_queue, has_ch = queue and queue ~= '', ch and ch ~= ''
  extra = extra or EMIT_NONE
  if has_id and has_ch then
    if has_agent and has_queue then
      return redis.call('XADD', key, 'MAXLEN', '~', c.maxlen, '*', 'type', etype, 'at', c.now_s,
        'ix', id, 'agent', agent, 'queue', queue, 'ch', ch, unpack(extra))
    elseif has_queue then
      return redis.call('XADD', key, 'MAXLEN', '~', c.maxlen, '*', 'type', etype, 'at', c.now_s,
        'ix', id, 'queue', queue, 'ch', ch, unpack(extra))
    elseif not has_agent then
      return redis.call('XADD', key, 'MAXLEN', '~', c.maxlen, '*', 'type', etype, 'at', c.now_s,
        'ix', id, 'ch', ch, unpack(extra))
    end
  end
  local args = {key, 'MAXLEN', '~', c.maxlen, '*', 'type', etype, 'at', c.now_s}
  if has_id then
    args[#args + 1] = 'ix'
    args[#args + 1] = id
  end
  if has_agent then
    args[#args + 1] = 'agent'
    args[#args + 1] = agent
  end
  if has_queue then
    args[#args + 1] = 'queue'
    args[#args + 1] = queue
  end
  if has_ch then
    args[#args + 1] = 'ch'
    args[#args + 1] = ch
  end
  for i = 1, #extra do
    args[#args + 1] = extra[i]
  end
  return redis.call('XADD', unpack(args))
end
