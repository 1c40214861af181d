--- @include "item_read"
-- The interaction `id` for a change only work that has not ended may take (cancel,
-- reprioritize): the item; or nil and the state it ended in (nil: there is no such
-- interaction).
local ENDED = {completed = true, canceled = true, rejected = true}

local function item_open(c, id)
  local item = item_read(c, id)
  if not item then
    return nil, nil
  end
  if ENDED[item.state] then
    return nil, item.state
  end
  return item
end
