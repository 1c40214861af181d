--- @include "keys"
--- @include "defaults"
--- @include "queue_cache"
--- @include "kept_put"
--- @include "queue_config_touch"
-- A queue's or step queue's definition (P:qc:<q>, written by put_queue.lua), read once per
-- run; false when there is no such queue. Fields: name, channels (list), has = {ch = true},
-- skills_json, strategy, offer_ms, sla_ms, wrap_ms, pref_ms, max_waiting, max_wait_ms,
-- overflow, open (false when closed by its hours), steps, nvq, add (csv), head = {P1..P4 or
-- nil}, sigs = {ch = {sig = true}} (the active skill signatures of its waiting work).
--
-- Definitions are also kept between runs (queue_cache.lua): a run reads the hash's 'ver' (one
-- field) and reuses the definition it parsed before when the version is the same.
local QUEUE_FIELDS = {'channels', 'skills', 'strategy', 'offer_ms', 'sla_ms', 'wrap_ms',
  'pref_ms', 'max_waiting', 'max_wait_ms', 'overflow', 'open', 'steps', 'nvq', 'add', 'sigs',
  'head:1', 'head:2', 'head:3', 'head:4'}
local function queue_config_parse(c, q, f)
  local conf = {name = q, channels = {}, has = {}, skills_json = f[2] or '',
    strategy = tonumber(f[3] or '1'), offer_ms = tonumber(f[4] or D.offer_ms),
    sla_ms = tonumber(f[5] or '0'), wrap_ms = tonumber(f[6] or '0'),
    pref_ms = tonumber(f[7] or '0'), max_waiting = tonumber(f[8] or '0'),
    max_wait_ms = tonumber(f[9] or '0'), overflow = f[10] or '', open = f[11] ~= '0',
    steps = tonumber(f[12] or '0'), nvq = tonumber(f[13] or '0'), add = f[14] or '',
    head = {tonumber(f[16]), tonumber(f[17]), tonumber(f[18]), tonumber(f[19])}, sigs = {}}
  for ch in string.gmatch(f[1], '[^,]+') do
    conf.channels[#conf.channels + 1] = ch
    conf.has[ch] = true
    conf.sigs[ch] = {}
  end
  local sigs = f[15]
  if not sigs then
    -- Written before the 'sigs' field existed: list the signatures once and keep them.
    local found = {}
    for _, ch in ipairs(conf.channels) do
      for _, sig in ipairs(redis.call('HKEYS', K.qsig(c.P, q, ch))) do
        found[#found + 1] = ch .. ':' .. sig
      end
    end
    sigs = table.concat(found, ',')
    redis.call('HSET', K.qc(c.P, q), 'sigs', sigs)
  end
  for ch, sig in string.gmatch(sigs, '([^,:]+):([^,]+)') do
    if conf.sigs[ch] then
      conf.sigs[ch][sig] = true
    end
  end
  return conf
end

local function queue_config(c, q)
  local conf = c.queue[q]
  if conf ~= nil then
    return conf
  end
  local key = K.qc(c.P, q)
  local ver = redis.call('HGET', key, 'ver')
  local cached = QUEUE_CACHE.t[key]
  if ver and cached and cached.ver == ver then
    c.queue[q] = cached.conf
    return cached.conf
  end
  local f = redis.call('HMGET', key, unpack(QUEUE_FIELDS))
  if not f[1] then
    c.queue[q] = false
    return false
  end
  conf = queue_config_parse(c, q, f)
  if not ver then
    ver = queue_config_touch(c, q)  -- written before versions existed
  end
  c.queue[q] = conf
  kept_put(QUEUE_CACHE, key, {ver = ver, conf = conf})
  return conf
end
