--- @include "keys"
-- The routing fields of an interaction (P:ix:<id>) as a table {id = id, field = value}; nil
-- when there is no such interaction. Helpers pass this table along instead of reading again.
local ITEM_FIELDS = {'state', 'queue', 'channel', 'priority', 'skills', 'sig', 'step',
  'customer', 'pref', 'reserved', 'queued_ms', 'score', 'boost', 'subject', 'category',
  'esc_from', 'exn', 'agent', 'skipped', 'deadline_ms', 'esc_queue', 'esc_skills', 'ss_queue'}

local function item_read(c, id)
  local f = redis.call('HMGET', K.ix(c.P, id), unpack(ITEM_FIELDS))
  if not f[1] then
    return nil
  end
  local item = {id = id}
  for i = 1, #ITEM_FIELDS do
    if f[i] then
      item[ITEM_FIELDS[i]] = f[i]
    end
  end
  return item
end
