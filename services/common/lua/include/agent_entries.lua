--- @include "run_table"
--- @include "tenant_config"
--- @include "queue_config"
--- @include "queue_slots"
--- @include "agent_score"
--- @include "agent_queue_list"
--- @include "sig_skills"
--- @include "skills_ok"
-- The eligible-agent index entries (P:qa:<rq>:<ch>:<sig>) the agent `a` (agent_get's) belongs
-- in: {key = score}, one per (queue or step queue it may serve, channel where it has free
-- capacity, active signature whose skills it has). c.entry_pair[key] says which (real queue,
-- channel) each key is of. Free capacity is agent_free.lua's, with the cross-channel rule
-- worked out once for all channels: the channels it holds work on, and whether one of them is
-- worked alone.
local function agent_entries(c, agent, a)
  local out = {}
  if not a or a.state ~= 'available' then
    return out
  end
  local cap, load = a.cap, a.load
  local exclusive = (c.tenant or tenant_config(c)).exclusive
  local held, held_exclusive = 0, false
  for ch, n in pairs(load) do
    if n > 0 then
      held = held + 1
      held_exclusive = held_exclusive or exclusive[ch] or false
    end
  end
  local busy = held > 0
  local pairs_of = run_table(c, 'entry_pair')
  local rqs = agent_queue_list(c, agent, a)
  for r = 1, #rqs do
    local rq = rqs[r]
    local conf = c.queue[rq]
    if conf == nil then
      conf = queue_config(c, rq)
    end
    if conf then
      local slots = conf.slots or queue_slots(c, conf)
      -- The rank depends on the channel only for the most-free-capacity strategy.
      local score = conf.strategy ~= 2 and agent_score(c, agent, a, conf, 0, busy)
      local channels, sigs = conf.channels, conf.sigs
      for k = 1, #channels do
        local ch = channels[k]
        local mine = load[ch] or 0
        local free = (cap[ch] or 0) - mine
        -- An exclusive channel is free only while nothing else is held; any other channel
        -- while no exclusive one is held.
        if free > 0 and (exclusive[ch] and (held == 0 or (held == 1 and mine > 0)) or
            not exclusive[ch] and not held_exclusive) then
          local slot = slots[ch]
          local s = score or agent_score(c, agent, a, conf, free, busy)
          out[slot.key0] = s
          pairs_of[slot.key0] = slot.pair
          local active = sigs[ch]
          if next(active) ~= nil then
            for sig, _ in pairs(active) do
              if skills_ok(c, agent, sig_skills(c, rq, ch, sig)) then
                local key = slot.prefix .. sig
                out[key] = s
                pairs_of[key] = slot.pair
              end
            end
          end
        end
      end
    end
  end
  return out
end
