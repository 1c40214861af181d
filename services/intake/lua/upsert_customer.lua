-- Creates or replaces a customer profile and returns the value boost (s) its work gets now.
-- KEYS[1] P:custp:<customer>
-- ARGV[1] P  ARGV[2] customer  ARGV[3] now ms  ARGV[4] tier  ARGV[5] annual value
-- ARGV[6] churn risk  ARGV[7] renewal ms (0 = unknown)  ARGV[8] preferred agent
-- Returns the boost in seconds, as a string.
--- @include "context"
--- @include "value_boost"
local P, now = ARGV[1], tonumber(ARGV[3])
local c = new_context(P, now, 0, 0, 'upsert_customer')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'tier', ARGV[4], 'value', ARGV[5], 'risk', ARGV[6], 'renewal_ms',
  ARGV[7], 'pref', ARGV[8], 'updated_ms', now)
return string.format('%.3f', value_boost(c, {value = tonumber(ARGV[5]) or 0,
  risk = tonumber(ARGV[6]) or 0, renewal_ms = tonumber(ARGV[7]) or 0}))
