--- @include "keys"
--- @include "queue_config"
-- Records that a skill signature became active or inactive in a (step) queue and channel:
-- the queue's 'sigs' field (read with its definition) and the run's copy of it. Agents' index
-- entries noted by agent_set may now be incomplete, so they are recomputed when next needed.
local function sig_set(c, rq, ch, sig, active)
  local conf = queue_config(c, rq)
  conf.sigs[ch][sig] = active or nil
  local list = {}
  for qch, sigs in pairs(conf.sigs) do
    for s, _ in pairs(sigs) do
      list[#list + 1] = qch .. ':' .. s
    end
  end
  redis.call('HSET', K.qc(c.P, rq), 'sigs', table.concat(list, ','))
  c.entries = {}
end
