-- Moves the tenant's new events to the lanes of the webhooks that want them, in feed order, in
-- one atomic step: it reads the feed through the workers' consumer group (NOACK: the read and
-- the fan-out happen together, so nothing is left pending), so any number of workers may run
-- it at any time and each event is queued once per webhook. A webhook's lane is the event's
-- interaction ("<id>|<interaction id>"; agent events "<id>|agent:<agent>", queue-wide ones
-- "<id>|queue:<queue>"); a lane delivers one event at a time, oldest first. A webhook gets an
-- event when it is enabled, the event is newer than the webhook (its route's start id) and of
-- a type it asked for. A webhook with `cap` deliveries pending gets none (counted as dropped).
-- A lane entry is "<event id>\n" then each field and value of the event as "<length>:<bytes>".
-- KEYS[1] P:events  KEYS[2] P:wh:routes
-- ARGV[1] P  ARGV[2] consumer group  ARGV[3] most events to read  ARGV[4] now ms
-- ARGV[5] cap (most deliveries pending per webhook)
-- Returns {events read, deliveries queued, deliveries dropped}
--- @include "keys"
--- @include "wh_push"
local P, now, cap = ARGV[1], ARGV[4], tonumber(ARGV[5])
local flat = redis.call('HGETALL', KEYS[2])
if #flat == 0 then
  return {0, 0, 0}
end
local subs = {}
for i = 1, #flat, 2 do
  local on, ms, seq, types = string.match(flat[i + 1], '^(%d) (%d+)-(%d+) ?(.*)$')
  if on == '1' then
    local want
    if types ~= '' then
      want = {}
      for t in string.gmatch(types, '[^,]+') do
        want[t] = true
      end
    end
    subs[#subs + 1] = {id = flat[i], ms = tonumber(ms), seq = tonumber(seq), want = want}
  end
end
local read = redis.pcall('XREADGROUP', 'GROUP', ARGV[2], 'fanout', 'COUNT', ARGV[3], 'NOACK',
  'STREAMS', KEYS[1], '>')
if type(read) == 'table' and read.err then
  -- No group (the feed was deleted, or Redis lost it): start one at the feed's end.
  redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[2], '$', 'MKSTREAM')
  return {0, 0, 0}
end
local entries = read and read[1][2] or {}
local queued, dropped, pending = 0, 0, {}
for _, e in ipairs(entries) do
  local eid, f = e[1], e[2]
  local ems, eseq = string.match(eid, '^(%d+)-(%d+)$')
  ems, eseq = tonumber(ems), tonumber(eseq)
  local etype, ix, agent, queue
  for i = 1, #f, 2 do
    local k = f[i]
    if k == 'type' then
      etype = f[i + 1]
    elseif k == 'ix' then
      ix = f[i + 1]
    elseif k == 'agent' then
      agent = f[i + 1]
    elseif k == 'queue' then
      queue = f[i + 1]
    end
  end
  local lane = ix or (agent and 'agent:' .. agent) or (queue and 'queue:' .. queue) or 'tenant'
  local entry
  for _, s in ipairs(subs) do
    if (ems > s.ms or (ems == s.ms and eseq > s.seq)) and (not s.want or s.want[etype]) then
      if not entry then
        local parts = {eid, '\n'}
        for i = 1, #f do
          parts[#parts + 1] = #f[i] .. ':' .. f[i]
        end
        entry = table.concat(parts)
      end
      local n = pending[s.id] or tonumber(redis.call('HGET', K.wh_pending(P), s.id) or '0')
      if n >= cap then
        redis.call('HINCRBY', K.wh_dropped(P), s.id, 1)
        dropped = dropped + 1
      else
        pending[s.id] = wh_push(P, s.id, s.id .. '|' .. lane, entry, now)
        queued = queued + 1
      end
    end
  end
end
return {#entries, queued, dropped}
