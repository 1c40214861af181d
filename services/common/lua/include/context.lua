-- The context of one script run, passed explicitly to every helper: the tenant prefix, the
-- clock, the event feed's cap, the retention of finished interactions, the transition that
-- runs (recorded with each routing decision it makes), and what the run has read so far, so
-- that each hash is read once per run however many helpers need it (writers keep these
-- copies current).
-- `now` is the clock in ms (a string from ARGV is kept as now_s for writing: Redis formats a
-- number argument with printf, which costs more than the command it goes with).
--   queue       queue or step queue name -> its definition (queue_config.lua), false: none
--   agent       agent id -> its hash as a table (agent_read.lua)
-- and, made by the helpers that first need them (most runs need none):
--   skills      agent id -> its skills {name = proficiency} (agent_skills.lua)
--   sig_req     "<rq>|<ch>|<sig>" -> the signature's skills table (sig_skills.lua)
--   entries     agent id -> its eligible-index entries as last written (agent_set.lua)
--   entry_pair  eligible-index key -> {real queue, channel} (agent_entries.lua)
local function new_context(P, now, maxlen, ttl, trigger)
  local now_n = tonumber(now)
  return {P = P, now = now_n, now_s = type(now) == 'string' and now or
    string.format('%d', now_n), maxlen = maxlen, ttl = ttl, trigger = trigger,
    queue = {}, agent = {}, skills = nil, sig_req = nil, entries = nil, entry_pair = nil}
end
