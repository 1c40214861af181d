-- Skill signatures: waiting work and eligible agents are indexed per (queue, channel, sig),
-- where sig names the extra skills an interaction needs beyond the queue's own ("0" = none,
-- otherwise a digest of its skills JSON). The head of each sig's waiting set can be served by
-- the head of its agent set, so a decision never scans for an agent that has the skills and
-- work needing rare skills never blocks work behind it. A JSON's digest is worked out once
-- per library load (few distinct skill sets recur).
local SKILLS_SIG, SKILLS_SIG_N = {}, 0

local function skills_sig(skills_json)
  if not skills_json or skills_json == '' or skills_json == '{}' then
    return '0'
  end
  local sig = SKILLS_SIG[skills_json]
  if not sig then
    sig = string.sub(redis.sha1hex(skills_json), 1, 12)
    if SKILLS_SIG_N < 10000 then
      SKILLS_SIG[skills_json] = sig
      SKILLS_SIG_N = SKILLS_SIG_N + 1
    end
  end
  return sig
end
