--- @include "keys"
--- @include "explain"
--- @include "offer"
-- The preferred agent: named at submit, or the customer's, or its last agent gets the first
-- chance at its work; while it is busy the work may be reserved for it (P:pref:<a>).

-- The agent an interaction prefers: the one named at submit, else the customer's preferred
-- agent (UpsertCustomer), else the customer's last agent.
local function preferred_agent(c, id)
  local P = c.P
  local f = redis.call('HMGET', K.ix(P, id), 'pref', 'customer')
  if f[1] and f[1] ~= '' then
    return f[1]
  end
  if f[2] and f[2] ~= '' then
    local named = redis.call('HGET', K.custp(P, f[2]), 'pref')
    if named and named ~= '' then
      return named
    end
    return redis.call('HGET', K.cust(P, f[2]), 'agent')
  end
  return nil
end

-- Ends the reservation of an interaction for its preferred agent.
local function unreserve(c, id, agent)
  redis.call('ZREM', K.pref(c.P, agent), id)
  redis.call('ZREM', K.pref_timers(c.P), id)
  redis.call('HDEL', K.ix(c.P, id), 'reserved')
end

-- Offers an interaction to its preferred agent, who is free for it now.
local function offer_preferred(c, id, agent, q, ch, sig, score)
  local a_score = redis.call('ZSCORE', K.avail(c.P, q, ch, '0'), agent)
  explain(c, 'preferred_agent', id, q, ch, sig, {score = score, agent = agent, candidates = {
    {agent = agent, score = tonumber(a_score), excluded = ''}}})
  offer(c, id, agent, q, ch, sig)
end

-- Offers the agent the work reserved for it (it is the preferred agent) that it can take now.
local function serve_reserved(c, agent)
  local P = c.P
  local made = 0
  for _, id in ipairs(redis.call('ZRANGE', K.pref(P, agent), 0, 9)) do
    local f = redis.call('HMGET', K.ix(P, id), 'queue', 'channel', 'sig', 'score')
    if redis.call('ZSCORE', K.avail(P, f[1], f[2], '0'), agent) then
      unreserve(c, id, agent)
      offer_preferred(c, id, agent, f[1], f[2], f[3] or '0', tonumber(f[4]))
      made = made + 1
    end
  end
  return made
end
