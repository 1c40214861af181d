-- Skill signatures: waiting work and eligible agents are indexed per (queue, channel, sig),
-- where sig names the extra skills an interaction needs beyond the queue's own ("0" = none,
-- otherwise a digest of its skills JSON). The head of each sig's waiting set can be served by
-- the head of its agent set, so a decision never scans for an agent that has the skills and
-- work needing rare skills never blocks work behind it.
local function skills_sig(skills_json)
  if not skills_json or skills_json == '' or skills_json == '{}' then
    return '0'
  end
  return string.sub(redis.sha1hex(skills_json), 1, 12)
end
