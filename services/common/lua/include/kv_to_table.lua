-- A flat {field, value, ...} reply as a {field = value} table.
local function kv_to_table(flat)
  local t = {}
  for i = 1, #flat, 2 do
    t[flat[i]] = flat[i + 1]
  end
  return t
end
