-- Removes the consumers of one tenant stream's group that are gone: nothing pending (the
-- dead-consumer reclaim took their entries) and idle longer than the reclaim bound. Check and
-- removal are one atomic step, so a consumer that reads meanwhile is never removed with entries
-- pending (XGROUP DELCONSUMER drops a consumer's pending entries). A live consumer reads every
-- block period, so it is never idle that long; one removed anyway is re-created by its next read.
-- KEYS[1] the stream  ARGV[1] the consumer group  ARGV[2] idle bound (ms)  ARGV[3] the caller
-- Returns the number of consumers removed.
local stream, group, bound, self = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3]
local consumers = redis.pcall('XINFO', 'CONSUMERS', stream, group)
if consumers.err then
  return 0  -- no stream or no group yet
end
local removed = 0
for _, info in ipairs(consumers) do
  local name, pending, idle
  for i = 1, #info, 2 do
    if info[i] == 'name' then
      name = info[i + 1]
    elseif info[i] == 'pending' then
      pending = info[i + 1]
    elseif info[i] == 'idle' then
      idle = info[i + 1]
    end
  end
  if name ~= self and pending == 0 and idle and idle > bound then
    redis.call('XGROUP', 'DELCONSUMER', stream, group, name)
    removed = removed + 1
  end
end
return removed
