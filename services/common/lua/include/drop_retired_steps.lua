--- @include "keys"
--- @include "queue_config"
--- @include "queue_config_touch"
--- @include "reindex_agents"
-- Deletes the retired step queues of q (beyond its steps, kept after the steps were
-- shortened) once no work waits in them.
local function drop_retired_steps(c, q)
  local P = c.P
  local conf = queue_config(c, q)
  local n, nvq = conf.steps, conf.nvq
  if nvq <= n then
    return
  end
  for k = n + 1, nvq do
    local vq = q .. '#' .. k
    local vconf = queue_config(c, vq)
    for _, ch in ipairs(conf.channels) do
      if (vconf and next(vconf.sigs[ch] or {}) ~= nil) or
          redis.call('ZCARD', K.waiting(P, vq, ch, '0')) > 0 then
        return
      end
    end
  end
  reindex_agents(c, function()
    for k = n + 1, nvq do
      local vq = q .. '#' .. k
      for _, ch in ipairs(conf.channels) do
        redis.call('DEL', K.avail(P, vq, ch, '0'), K.qsig(P, vq, ch))
      end
      redis.call('DEL', K.qc(P, vq))
    end
    queue_config_touch(c, q, {'nvq', string.format('%d', n)})
  end)
end
