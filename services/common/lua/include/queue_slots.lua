--- @include "keys"
--- @include "base_queue"
-- The eligible-agent index keys of a (step) queue per channel, built once per definition (which
-- queue_config.lua keeps between runs): {ch = {key0 = "<P>:qa:<rq>:<ch>:0", prefix =
-- "<P>:qa:<rq>:<ch>:" (add a signature), pair = {real queue, ch}}}.
local function queue_slots(c, conf)
  local slots = conf.slots
  if not slots then
    slots = {}
    local q = base_queue(conf.name)
    for _, ch in ipairs(conf.channels) do
      local prefix = K.avail(c.P, conf.name, ch, '')
      slots[ch] = {key0 = prefix .. '0', prefix = prefix, pair = {q, ch}}
    end
    conf.slots = slots
  end
  return slots
end
