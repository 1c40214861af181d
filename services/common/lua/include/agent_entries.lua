--- @include "keys"
--- @include "queue_config"
--- @include "agent_free"
--- @include "agent_score"
--- @include "agent_queue_list"
--- @include "sig_skills"
--- @include "agent_busy"
--- @include "skills_ok"
-- The eligible-agent index entries (P:qa:<rq>:<ch>:<sig>) the agent with hash `a` belongs
-- in: {key = {score, real queue, channel}}, one per (queue or step queue it may serve,
-- channel where it has free capacity, active signature whose skills it has).
local function agent_entries(c, agent, a)
  local out = {}
  if not a or a.state ~= 'available' then
    return out
  end
  local busy = agent_busy(a)
  for _, rq in ipairs(agent_queue_list(c, agent, a)) do
    local conf = queue_config(c, rq)
    if conf then
      local q = string.match(rq, '^(.*)#%d+$') or rq
      for _, ch in ipairs(conf.channels) do
        local free = agent_free(c, a, ch)
        if free > 0 then
          local entry = {agent_score(c, agent, a, conf, free, busy), q, ch}
          out[K.avail(c.P, rq, ch, '0')] = entry
          for sig, _ in pairs(conf.sigs[ch]) do
            if skills_ok(c, agent, sig_skills(c, rq, ch, sig)) then
              out[K.avail(c.P, rq, ch, sig)] = entry
            end
          end
        end
      end
    end
  end
  return out
end
