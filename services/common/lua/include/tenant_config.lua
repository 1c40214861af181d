--- @include "keys"
--- @include "defaults"
--- @include "kept_put"
-- The tenant's routing config (P:cfg, written by put_config.lua), read once per run:
-- {head = {P1..P4 head start s or nil}, max_missed, boost_max, conv_window,
--  exclusive = {channel = true}}. Kept between runs like queue definitions (queue_config.lua),
-- checked against the config's 'version', which put_config.lua increments.
local TENANT_CACHE = {n = 0, max = 10000, t = {}}

local function tenant_config(c)
  local t = c.tenant
  if t then
    return t
  end
  local key = K.cfg(c.P)
  local ver = redis.call('HGET', key, 'version') or '0'
  local cached = TENANT_CACHE.t[key]
  if cached and cached.ver == ver then
    c.tenant = cached.t
    return cached.t
  end
  local f = redis.call('HMGET', key, 'head:1', 'head:2', 'head:3', 'head:4', 'max_missed',
    'exclusive', 'boost_max', 'conv_window')
  t = {head = {tonumber(f[1]), tonumber(f[2]), tonumber(f[3]), tonumber(f[4])},
    max_missed = tonumber(f[5] or D.max_missed), boost_max = tonumber(f[7] or D.boost_max),
    conv_window = tonumber(f[8] or D.conv_window), exclusive = {}}
  for ch in string.gmatch(f[6] or D.exclusive, '[^,]+') do
    t.exclusive[ch] = true
  end
  c.tenant = t
  kept_put(TENANT_CACHE, key, {ver = ver, t = t})
  return t
end
