--- @include "keys"
-- Finds the work an agent holds through its offer stream (P:ao:<a>, ~1,000 entries), read from
-- the newest entry back: visit(id) is called once for each interaction offered to it and
-- returns true when that interaction holds one of the agent's `held` units, and the walk ends
-- when all are accounted for or the stream ends (work offered before the ~1,000 later offers the
-- stream keeps is not found).
local OFFER_PAGE = 50

local function walk_offers(P, agent, held, visit)
  local key, last, seen = K.offers(P, agent), '+', {}
  while held > 0 do
    local entries = redis.call('XREVRANGE', key, last, '-', 'COUNT', OFFER_PAGE)
    for i = 1, #entries do
      local f = entries[i][2]  -- kind, offer|rescind, ix, <id>, ...
      local id = f[4]
      if held > 0 and f[2] == 'offer' and not seen[id] then
        seen[id] = true
        if visit(id) then
          held = held - 1
        end
      end
    end
    if #entries < OFFER_PAGE then
      break
    end
    last = '(' .. entries[#entries][1]
  end
end
