--- @include "keys"
--- @include "queue_cache"
--- @include "kept_drop"
-- Gives a queue's hash a new version, writing `fields` ({field, value, ...} or nil) with it.
-- `conf`: the definition the caller read and changed to match what it writes, which stays
-- cached; without it, the definition is read again when next needed.
local function queue_config_touch(c, q, fields, conf)
  local key = K.qc(c.P, q)
  local ver = string.format('%d', redis.call('HINCRBY', K.cfg(c.P), 'qver', 1))
  local args = fields or {}
  args[#args + 1] = 'ver'
  args[#args + 1] = ver
  redis.call('HSET', key, unpack(args))
  local cached = QUEUE_CACHE.t[key]
  if conf and cached and cached.conf == conf then
    cached.ver = ver
  else
    kept_drop(QUEUE_CACHE, key)
    c.queue[q] = nil
  end
  return ver
end
