-- A number as the whole-number string Redis is given (string.format('%d')), memoized for small
-- ones (loads, counts, priorities, steps recur; formatting goes through sprintf).
local FMT_INT, FMT_INT_N = {}, 0

local function fmt_int(n)
  local s = FMT_INT[n]
  if not s then
    s = string.format('%d', n)
    if n > -1000 and n < 100000 and FMT_INT_N < 10000 then
      FMT_INT[n] = s
      FMT_INT_N = FMT_INT_N + 1
    end
  end
  return s
end
