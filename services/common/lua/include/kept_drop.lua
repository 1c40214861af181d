-- Removes key from a table kept between runs (kept_put.lua).
local function kept_drop(kept, key)
  if kept.t[key] ~= nil then
    kept.t[key] = nil
    kept.n = kept.n - 1
  end
end
