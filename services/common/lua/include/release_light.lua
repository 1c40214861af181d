--- @include "keys"
--- @include "num"
--- @include "fmt_int"
--- @include "queue_config"
--- @include "tenant_config"
-- Frees one unit of the agent's capacity on ch when that settles all that release.lua and
-- match_agent.lua would do: it keeps work on ch and had free capacity there, ch is not worked
-- alone, no queue it serves ranks by free capacity and nothing is reserved for it. Then no
-- index changes and nothing is offered, so the four fields that decide it are read instead of
-- the whole hash (its load on ch first). Returns true when it did; false, having changed nothing, otherwise (also
-- when the run holds the agent's hash already).
local function release_light(c, agent, ch)
  if c.agent[agent] ~= nil then
    return false
  end
  local key, load_field = K.agent(c.P, agent), 'load:' .. ch
  local held = num(redis.call('HGET', key, load_field) or '0')
  if held < 2 then
    return false  -- (where it does not apply, most often, it costs one field)
  end
  local f = redis.call('HMGET', key, 'cap:' .. ch, 'rqs', 'nres')
  if held >= num(f[1] or '0') or not f[2] or num(f[3] or '0') > 0 or
      (c.tenant or tenant_config(c)).exclusive[ch] then
    return false
  end
  for rq in string.gmatch(f[2], '[^,]+') do
    local conf = queue_config(c, rq)
    if conf and conf.strategy == 2 then
      return false
    end
  end
  redis.call('HSET', key, load_field, fmt_int(held - 1))
  return true
end
