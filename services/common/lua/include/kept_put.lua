-- Puts key -> value into a table the library keeps between runs of its functions (its state
-- lives as long as it is loaded): {n = entries, max = bound, t = key -> value}. At `max` entries
-- the table is emptied (in place) and fills again from what the next runs read, so that no mix
-- of tenants grows it without bound.
local function kept_put(kept, key, value)
  local t = kept.t
  if kept.n >= kept.max then
    for k in pairs(t) do
      t[k] = nil
    end
    kept.n = 0
  end
  if t[key] == nil then
    kept.n = kept.n + 1
  end
  t[key] = value
end
