-- Trims a tenant stream that one consumer group reads up to what the group has consumed: the
-- entries before the oldest one still pending (delivered, not acknowledged), or, when none is,
-- every entry up to the last one delivered. The consumers acknowledge each entry in the script
-- that records its state change, so a trimmed entry is done with; work in flight stays. The
-- trim is approximate (whole stream nodes), so up to a node of done entries may remain.
-- Costs a few commands per stream and call, where an XDEL per entry cost ~50k instructions.
-- KEYS[1] the stream  ARGV[1] the consumer group
-- Returns the number of entries removed.
local stream, group = KEYS[1], ARGV[1]
local pending = redis.pcall('XPENDING', stream, group)
if pending.err then
  return 0  -- no stream or no group yet
end
local keep = pending[2]  -- oldest pending entry (nil when none is)
if not keep then
  for _, info in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
    local name, last
    for i = 1, #info, 2 do
      if info[i] == 'name' then
        name = info[i + 1]
      elseif info[i] == 'last-delivered-id' then
        last = info[i + 1]
      end
    end
    if name == group and last then
      local ms, seq = string.match(last, '^(%d+)-(%d+)$')
      keep = ms and (ms .. '-' .. (seq + 1))
    end
  end
end
if not keep or keep == '0-1' then
  return 0
end
return redis.call('XTRIM', stream, 'MINID', '~', keep)
