-- Small table helpers.
local function kv_to_table(flat)
  local t = {}
  for i = 1, #flat, 2 do
    t[flat[i]] = flat[i + 1]
  end
  return t
end

local function split_csv(s)
  local out = {}
  if s then
    for v in string.gmatch(s, '[^,]+') do
      out[#out + 1] = v
    end
  end
  return out
end
