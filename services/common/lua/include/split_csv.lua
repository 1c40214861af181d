-- The values of a comma-separated list ({} for nil or '').
local function split_csv(s)
  local out = {}
  if s then
    for v in string.gmatch(s, '[^,]+') do
      out[#out + 1] = v
    end
  end
  return out
end
