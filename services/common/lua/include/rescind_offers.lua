--- @include "keys"
--- @include "agent_read"
--- @include "agent_write"
--- @include "item_read"
--- @include "push_rescind"
--- @include "requeue"
--- @include "emit"
--- @include "fmt_int"
-- Withdraws the open offers of an agent who logs out or goes away, at once rather than at
-- their deadlines: each goes back to its queue in its old place (requeue.lua; no skip and no
-- missed offer: the agent did not decline it), the desktop is told (push_rescind.lua) and the
-- agent's load on the channel drops. The offers are found in the agent's offer stream
-- (P:ao:<a>), read from the newest entry back until every unit of the agent's load is
-- accounted for (work offered or assigned to it) or the stream (~1,000 entries) ends.
-- Returns the {queue, channel} pairs (each once) to match again once the agent is out of the
-- indexes.
local RESCIND_PAGE = 50

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
  local key, last, seen, loads, pairs_seen = K.offers(c.P, agent), '+', {}, {}, {}
  while held > 0 do
    local entries = redis.call('XREVRANGE', key, last, '-', 'COUNT', RESCIND_PAGE)
    for i = 1, #entries do
      local f = entries[i][2]  -- kind, offer|rescind, ix, <id>, ...
      local id = f[4]
      if f[2] == 'offer' and not seen[id] then
        seen[id] = true
        local item = item_read(c, id)
        local state = item and item.agent == agent and item.state
        if state == 'offered' or state == 'assigned' then
          held = held - 1
        end
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
      end
    end
    if #entries < RESCIND_PAGE then
      break
    end
    last = '(' .. entries[#entries][1]
  end
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
