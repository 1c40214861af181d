--- @include "keys"
-- Reads of a queue's definition (P:qc:<q>, written by put_queue.lua).
local function queue_channels(c, q)
  local s = redis.call('HGET', K.qc(c.P, q), 'channels')
  local out = {}
  if not s then
    return out
  end
  for ch in string.gmatch(s, '[^,]+') do
    out[#out + 1] = ch
  end
  return out
end

local function accepts_channel(c, q, ch)
  for _, qch in ipairs(queue_channels(c, q)) do
    if qch == ch then
      return true
    end
  end
  return false
end

local function queue_skills(c, q)
  local s = redis.call('HGET', K.qc(c.P, q), 'skills')
  if not s or s == '' then
    return {}
  end
  return cjson.decode(s)
end
