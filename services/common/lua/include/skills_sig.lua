--- @include "kept_put"
-- Skill signatures: waiting work and eligible agents are indexed per (queue, channel, sig),
-- where sig names the extra skills an interaction needs beyond the queue's own ("0" = none,
-- otherwise a digest of its skills JSON). The head of each sig's waiting set can be served by
-- the head of its agent set, so a decision never scans for an agent that has the skills and
-- work needing rare skills never blocks work behind it. A JSON's digest is worked out once
-- per library load (few distinct skill sets recur).
local SKILLS_SIG = {n = 0, max = 10000, t = {}}  -- kept_put.lua

local function skills_sig(skills_json)
  if not skills_json or skills_json == '' or skills_json == '{}' then
    return '0'
  end
  local sig = SKILLS_SIG.t[skills_json]
  if not sig then
    sig = string.sub(redis.sha1hex(skills_json), 1, 12)
    kept_put(SKILLS_SIG, skills_json, sig)
  end
  return sig
end
