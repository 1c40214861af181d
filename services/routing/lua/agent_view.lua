-- An agent as GetAgent and ListAgents show it: its hash, and the work it holds (offered,
-- assigned, or completed and still in wrap-up: each holds one unit of its load). Nothing on the
-- hot path records that work; it is found here, at read time, in the agent's offer stream
-- (walk_offers.lua, as rescind_offers.lua finds open offers): work held while more than ~1,000
-- later offers were made to the agent is not listed. Read-only.
-- KEYS[1] P:ag:<agent>  KEYS[2] P:ao:<agent> (the stream walk_offers reads)
-- ARGV[1] P  ARGV[2] agent
-- Returns {hash (HGETALL; empty for an agent that never logged in), work}: work lists, oldest
-- offer first, per item: id, state, agent, channel, queue, offered_ms, assigned_ms, ended_ms.
--- @include "keys"
--- @include "walk_offers"
local P, agent = ARGV[1], ARGV[2]
local hash = redis.call('HGETALL', KEYS[1])
local held = 0
for i = 1, #hash, 2 do
  if string.sub(hash[i], 1, 5) == 'load:' then
    held = held + (tonumber(hash[i + 1]) or 0)
  end
end

-- The fields of the work item `id` when the agent holds it, nil otherwise.
local function held_item(id)
  local f = redis.call('HMGET', K.ix(P, id), 'state', 'agent', 'channel', 'queue', 'offered_ms',
    'assigned_ms', 'ended_ms')
  local state = f[1]
  if f[2] ~= agent or not (state == 'offered' or state == 'assigned' or
      state == 'completed' and redis.call('ZSCORE', K.wrapups(P),
        agent .. '|' .. (f[3] or '') .. '|' .. id)) then
    return nil
  end
  local out = {id}
  for i = 1, 7 do
    out[#out + 1] = f[i] or ''
  end
  return out
end

local found = {}
walk_offers(P, agent, held, function(id)
  local item = held_item(id)
  found[#found + 1] = item
  return item ~= nil
end)
local work = {}
for k = #found, 1, -1 do
  for _, v in ipairs(found[k]) do
    work[#work + 1] = v
  end
end
return {hash, work}
