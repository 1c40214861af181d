--- @include "base_queue"
--- @include "queue_config"
--- @include "agent_read"
--- @include "agent_queue_list"
--- @include "serve_reserved"
--- @include "match"
--- @include "defaults"
-- Offers an agent who gained capacity the work it can take now: first what is reserved for
-- it, then waiting work of each (queue, channel) in `pairs` (agent_reindex's gained pairs), or
-- of every queue and channel it serves when `pairs` is nil.
local function match_agent(c, agent, pairs_)
  local made = serve_reserved(c, agent)
  if not pairs_ then
    pairs_ = {}
    local seen = {}
    local a = agent_get(c, agent)
    for _, rq in ipairs(a and agent_queue_list(c, agent, a) or {}) do
      local q = base_queue(rq)
      local conf = queue_config(c, q)
      if conf and not seen[q] then
        seen[q] = true
        for _, ch in ipairs(conf.channels) do
          pairs_[#pairs_ + 1] = {q, ch}
        end
      end
    end
  end
  for _, p in ipairs(pairs_) do
    made = made + match(c, p[1], p[2], D.match_budget)
  end
  return made
end
