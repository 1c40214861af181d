-- A string from Redis (or a number) as a number. Capacities, loads, counters, levels and
-- priorities recur, so short strings are converted once per library load (tonumber goes
-- through strtod, which costs far more than a table lookup); callers on a hot path look NUM up
-- first themselves.
local NUM, NUM_N = {}, 0

local function num(s)
  local n = NUM[s]
  if n == nil then
    n = tonumber(s)
    if n and n ~= s and #s <= 6 and NUM_N < 10000 then  -- (a number is its own)
      NUM[s] = n
      NUM_N = NUM_N + 1
    end
  end
  return n
end
