--- @include "keys"
--- @include "base_queue"
--- @include "queue_config"
--- @include "sig_candidate"
--- @include "item_read"
--- @include "offer"
-- Makes offers in one (queue, channel) while some (step queue, signature) has waiting work and
-- a free agent who may take it, best-ranked work first (equal scores: the lower id, i.e. the
-- earlier arrival, as within one set): O(steps x signatures x log n) per offer, and one ZCARD
-- when nothing waits. q may be a step queue: its real queue is matched.
-- `trigger` (default: the script's) is recorded with each decision. Returns the count.
local function match(c, q, ch, budget, trigger)
  q = base_queue(q)
  local conf = queue_config(c, q)
  if not conf or not conf.has[ch] or redis.call('ZCARD', K.age(c.P, q, ch)) == 0 then
    return 0
  end
  local rqs = {q}
  for k = 1, conf.nvq do
    rqs[#rqs + 1] = q .. '#' .. k
  end
  local made = 0
  while made < budget do
    local best, best_rq, best_sig
    for _, rq in ipairs(rqs) do
      local rconf = queue_config(c, rq)
      if rconf then
        local sigs = {'0'}
        for sig, _ in pairs(rconf.sigs[ch] or {}) do
          sigs[#sigs + 1] = sig
        end
        for _, sig in ipairs(sigs) do
          local pick = sig_candidate(c, rq, ch, sig)
          if pick and (not best or pick.score_n < best.score_n or
              pick.score_n == best.score_n and pick.id < best.id) then
            best, best_rq, best_sig = pick, rq, sig
          end
        end
      end
    end
    if not best then
      break
    end
    local item = item_read(c, best.id)
    offer(c, item, best.agent, best_rq, ch, best_sig, trigger or c.trigger, best, nil, 'waiting')
    made = made + 1
  end
  return made
end
