--- @include "keys"
-- Appends an event to the tenant's feed (capped at c.maxlen, approximately): type, at, then
-- ix, agent, queue and ch where given (nil and '' are left out), then `extra` ({field, value,
-- ...} or nil). Values are strings (see context.lua). The usual shapes go to redis.call
-- directly: an argument table built up for each event costs more than the XADD itself.
local EMIT_NONE, EMIT_FIELDS = {}, {'ix', 'agent', 'queue', 'ch'}

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
  local given = {id, agent, queue, ch}
  for i = 1, 4 do
    local value = given[i]
    if value and value ~= '' then
      args[#args + 1] = EMIT_FIELDS[i]
      args[#args + 1] = value
    end
  end
  for i = 1, #extra do
    args[#args + 1] = extra[i]
  end
  return redis.call('XADD', unpack(args))
end
