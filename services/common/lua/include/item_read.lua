--- @include "keys"
-- An interaction's routing fields (P:ix:<id>) as a table {id = id, field = value}; nil when
-- there is no such interaction. Helpers pass this table along instead of reading again. Each
-- field read costs (a hash lookup in Redis, a string in Lua), so placement reads the fields it
-- needs (ITEM_PLACE) and the other paths the routing state (ITEM_ROUTING). The tables are built
-- by one constructor each (sized once, unlike a table filled field by field); a field the hash
-- lacks is nil in them.
local ITEM_PLACE = {}  -- (a marker: item_read's third argument)

local function item_read(c, id, fields)
  local key = K.ix(c.P, id)
  if fields == ITEM_PLACE then
    local f = redis.call('HMGET', key, 'state', 'queue', 'channel', 'priority', 'skills',
      'customer', 'pref', 'subject', 'category', 'esc_from', 'exn', 'skipped', 'esc_queue')
    if not f[1] then
      return nil
    end
    return {id = id, state = f[1], queue = f[2], channel = f[3], priority = f[4], skills = f[5],
      customer = f[6], pref = f[7], subject = f[8], category = f[9], esc_from = f[10],
      exn = f[11], skipped = f[12], esc_queue = f[13]}
  end
  local f = redis.call('HMGET', key, 'state', 'queue', 'channel', 'priority', 'skills', 'sig',
    'step', 'customer', 'pref', 'reserved', 'queued_ms', 'score', 'boost', 'subject', 'category',
    'esc_from', 'exn', 'agent', 'skipped', 'deadline_ms', 'esc_queue')
  if not f[1] then
    return nil
  end
  return {id = id, state = f[1], queue = f[2], channel = f[3], priority = f[4], skills = f[5],
    sig = f[6], step = f[7], customer = f[8], pref = f[9], reserved = f[10], queued_ms = f[11],
    score = f[12], boost = f[13], subject = f[14], category = f[15], esc_from = f[16],
    exn = f[17], agent = f[18], skipped = f[19], deadline_ms = f[20], esc_queue = f[21]}
end
