--- @include "keys"
--- @include "agent_read"
--- @include "agent_write"
--- @include "item_read"
--- @include "push_rescind"
--- @include "requeue"
--- @include "emit"
--- @include "fmt_int"
--- @include "walk_offers"
-- Withdraws the open offers of an agent who logs out or goes away, at once rather than at
-- their deadlines: each goes back to its queue in its old place (requeue.lua; no skip and no
-- missed offer: the agent did not decline it), the desktop is told (push_rescind.lua) and the
-- agent's load on the channel drops. The offers are found in the agent's offer stream
-- (walk_offers.lua): every unit of the agent's load is accounted for by work offered or
-- assigned to it, or the stream ends.
-- Returns the {queue, channel} pairs (each once) to match again once the agent is out of the
-- indexes.
local function rescind_offers(c, agent, reason)
  local a = agent_get(c, agent)
  local rematch = {}
  if not a then
    return rematch
  end
  local held = 0
  for _, n in pairs(a.load) do
    held = held + n
  end
  local loads, pairs_seen = {}, {}
  walk_offers(c.P, agent, held, function(id)
    local item = item_read(c, id)
    local state = item and item.agent == agent and item.state
    if state == 'offered' then
      local ch = item.channel
      push_rescind(c, agent, id, reason)
      local q = requeue(c, item)
      emit(c, 'offer_rescinded', id, agent, q, ch, {'reason', reason})
      loads[ch] = (loads[ch] or a.load[ch] or 0) - 1
      if not pairs_seen[q .. '|' .. ch] then  -- one match per (queue, channel)
        pairs_seen[q .. '|' .. ch] = true
        rematch[#rematch + 1] = {q, ch}
      end
    end
    return state == 'offered' or state == 'assigned'
  end)
  local changes = {}
  for ch, n in pairs(loads) do
    changes[#changes + 1] = 'load:' .. ch
    changes[#changes + 1] = fmt_int(math.max(0, n))
  end
  if #changes > 0 then
    agent_write(c, agent, changes)
  end
  return rematch
end
