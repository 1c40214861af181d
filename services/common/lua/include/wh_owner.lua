-- The webhook id of a webhook lane's member "<webhook id>|<lane>".
local function wh_owner(member)
  return string.match(member, '^([^|]+)|')
end
