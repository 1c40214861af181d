--- @include "keys"
--- @include "defaults"
-- The tenant's routing config (P:cfg, written by put_config.lua), read once per run:
-- {head = {P1..P4 head start s or nil}, max_missed, boost_max, conv_window,
--  exclusive = {channel = true}}.
local function tenant_config(c)
  local t = c.tenant
  if not t then
    local f = redis.call('HMGET', K.cfg(c.P), 'head:1', 'head:2', 'head:3', 'head:4',
      'max_missed', 'exclusive', 'boost_max', 'conv_window')
    t = {head = {tonumber(f[1]), tonumber(f[2]), tonumber(f[3]), tonumber(f[4])},
      max_missed = tonumber(f[5] or D.max_missed), boost_max = tonumber(f[7] or D.boost_max),
      conv_window = tonumber(f[8] or D.conv_window), exclusive = {}}
    for ch in string.gmatch(f[6] or D.exclusive, '[^,]+') do
      t.exclusive[ch] = true
    end
    c.tenant = t
  end
  return t
end
