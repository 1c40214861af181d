--- @include "keys"
-- Appends an event to the tenant's feed (capped at c.maxlen, approximately). Values are
-- strings (see context.lua).
local function emit(c, etype, id, agent, queue, ch, extra)
  local args = {K.events(c.P), 'MAXLEN', '~', c.maxlen, '*', 'type', etype, 'at', c.now_s}
  if id and id ~= '' then
    args[#args + 1] = 'ix'
    args[#args + 1] = id
  end
  if agent and agent ~= '' then
    args[#args + 1] = 'agent'
    args[#args + 1] = agent
  end
  if queue and queue ~= '' then
    args[#args + 1] = 'queue'
    args[#args + 1] = queue
  end
  if ch and ch ~= '' then
    args[#args + 1] = 'ch'
    args[#args + 1] = ch
  end
  if extra then
    for i = 1, #extra do
      args[#args + 1] = extra[i]
    end
  end
  return redis.call('XADD', unpack(args))
end
