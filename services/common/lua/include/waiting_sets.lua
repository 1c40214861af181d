--- @include "keys"
--- @include "queue_config"
-- The waiting sets of a real queue q and channel ch whose heads match.lua compares: those of q
-- and of each of its step queues, for signature "0" and every active signature. None when q
-- does not exist or does not take ch.
local function waiting_sets(c, q, ch)
  local conf = queue_config(c, q)
  local keys = {}
  if not conf or not conf.has[ch] then
    return keys
  end
  for k = 0, conf.nvq do
    local rq = k == 0 and q or q .. '#' .. k
    local rconf = queue_config(c, rq)
    if rconf then
      keys[#keys + 1] = K.waiting(c.P, rq, ch, '0')
      for sig, _ in pairs(rconf.sigs[ch] or {}) do
        keys[#keys + 1] = K.waiting(c.P, rq, ch, sig)
      end
    end
  end
  return keys
end
