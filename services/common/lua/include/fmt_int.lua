-- A number as the whole-number string Redis is given (string.format('%d')), memoized for 0 to
-- 999 (loads, counts, priorities, steps recur; formatting goes through sprintf). The memo
-- stays small: the garbage collector walks it in every cycle.
local FMT_INT = {}

local function fmt_int(n)
  local s = FMT_INT[n]
  if not s then
    s = string.format('%d', n)
    if n >= 0 and n < 1000 and n % 1 == 0 then
      FMT_INT[n] = s
    end
  end
  return s
end
