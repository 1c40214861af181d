--- @include "keys"
--- @include "defaults"
-- Tells the agent's desktop that an offer it was shown is withdrawn.
local function push_rescind(c, agent, id, reason)
  redis.call('XADD', K.offers(c.P, agent), 'MAXLEN', '~', D.offer_stream_len_s, '*', 'kind',
    'rescind', 'ix', id, 'reason', reason)
end
