--- @include "keys"
-- An interaction's routing fields (P:ix:<id>) as a table {id = id, field = value}; nil when
-- there is no such interaction. Helpers pass this table along instead of reading again. Each
-- field read costs (a hash lookup in Redis, a string in Lua), so placement reads the fields it
-- needs (ITEM_PLACE) and the other paths the routing state (ITEM_ROUTING).
local ITEM_PLACE = {'state', 'queue', 'channel', 'priority', 'skills', 'customer', 'pref',
  'subject', 'category', 'esc_from', 'exn', 'skipped', 'esc_queue'}
local ITEM_ROUTING = {'state', 'queue', 'channel', 'priority', 'skills', 'sig', 'step',
  'customer', 'pref', 'reserved', 'queued_ms', 'score', 'boost', 'subject', 'category',
  'esc_from', 'exn', 'agent', 'skipped', 'deadline_ms', 'esc_queue'}

local function item_read(c, id, fields)
  fields = fields or ITEM_ROUTING
  local f = redis.call('HMGET', K.ix(c.P, id), unpack(fields))
  if not f[1] then
    return nil
  end
  local item = {id = id}
  for i = 1, #fields do
    if f[i] then
      item[fields[i]] = f[i]
    end
  end
  return item
end
