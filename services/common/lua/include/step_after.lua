--- @include "keys"
-- The wait (ms) after which step k of a queue opens, or nil beyond its last step. The
-- thresholds are read once per run.
local function step_after(c, conf, k)
  if k > conf.steps then
    return nil
  end
  if not conf.step_ms then
    local fields = {}
    for i = 1, conf.steps do
      fields[i] = 'step_ms:' .. i
    end
    conf.step_ms = redis.call('HMGET', K.qc(c.P, conf.name), unpack(fields))
  end
  return tonumber(conf.step_ms[k] or '0')
end
