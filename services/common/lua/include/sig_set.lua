--- @include "keys"
--- @include "queue_config"
-- Records that a skill signature became active or inactive in a (step) queue and channel:
-- the queue's 'sigs' field (read with its definition, which is changed to match). Agents'
-- index entries noted by agent_set may now be incomplete, so they are recomputed when next
-- needed.
local function sig_set(c, rq, ch, sig, active)
  local conf = queue_config(c, rq)
  local list = {}
  for qch, sigs in pairs(conf.sigs) do
    for s, _ in pairs(sigs) do
      if not (qch == ch and s == sig) then
        list[#list + 1] = qch .. ':' .. s
      end
    end
  end
  if active then
    list[#list + 1] = ch .. ':' .. sig
  end
  queue_config_touch(c, rq, {'sigs', table.concat(list, ',')}, conf)
  conf.sigs[ch][sig] = active or nil
  c.entries = nil
end
