--- @include "run_table"
--- @include "agent_entries"
-- Writes the agent's new rank into every eligible index it belongs in, after a change that
-- left that set of indexes as it was (its hash already written: agent_write.lua), and notes the
-- entries for the rest of the run. Scores are whole numbers: each is formatted once.
local function agent_rerank(c, agent, a)
  local after = agent_entries(c, agent, a)
  local last, last_s
  for key, score in pairs(after) do
    if score ~= last then
      last, last_s = score, string.format('%d', score)
    end
    redis.call('ZADD', key, last_s, agent)
  end
  run_table(c, 'entries')[agent] = after
end
