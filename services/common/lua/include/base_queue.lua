--- @include "kept_put"
-- Bullseye steps: step k (1..n) of queue q routes through the virtual "step queue" q#k (queue
-- names never contain '#'). It has its own P:qc:<q>#k (channels and strategy of q, the skills
-- left at step k, 'add': csv of queues whose agents it adds), agent membership, eligible-agent
-- indexes and waiting sets; the age index P:qt:<q>:<ch> and the counters stay with q. P:qc:<q>
-- holds 'steps' (n), 'nvq' (step queues that exist: n, plus retired ones still holding work
-- after the steps were shortened) and 'step_ms:<k>'. An interaction's 'step' field names the
-- step queue it waits in; 'queue' is always the real queue.
local BASE_QUEUE = {n = 0, max = 10000, t = {}}  -- kept_put.lua

-- The real queue of a step queue (a real queue is its own), worked out once per library load.
local function base_queue(rq)
  local q = BASE_QUEUE.t[rq]
  if not q then
    q = string.match(rq, '^(.*)#%d+$') or rq
    kept_put(BASE_QUEUE, rq, q)
  end
  return q
end
