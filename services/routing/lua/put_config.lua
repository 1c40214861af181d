-- Replaces the tenant config and bumps its version.
-- KEYS[1] P:cfg
-- ARGV[1] serialized TenantConfig (without version)  ARGV[2..5] head start s for P1..P4
-- ARGV[6] max missed offers  ARGV[7] exclusive channels csv ('' = none)
-- Returns the new version.
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'proto', ARGV[1], 'head:1', ARGV[2], 'head:2', ARGV[3], 'head:3',
  ARGV[4], 'head:4', ARGV[5], 'max_missed', ARGV[6], 'exclusive', ARGV[7])
return version
