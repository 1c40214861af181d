-- A string from Redis (or a number) as a number. Capacities, loads, levels, priorities and
-- small counts recur, so numbers of up to three characters are converted once per library
-- load (tonumber goes through strtod, which costs far more than a table lookup); callers on a
-- hot path look NUM up first themselves. The memo stays small: the garbage collector walks it
-- in every cycle.
local NUM = {}

local function num(s)
  local n = NUM[s]
  if n == nil then
    n = tonumber(s)
    if n and n ~= s and #s <= 3 then  -- (a number is its own)
      NUM[s] = n
    end
  end
  return n
end
