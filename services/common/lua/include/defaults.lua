-- Every default of the routing scripts, in one place (the C++ side passes its own in ARGV).
local D = {
  -- Head starts (s) of P1..P4 when neither the queue nor the tenant set them (admin.proto).
  head_start = {120, 60, 30, 0},
  -- Offer deadline (ms) of a queue that has none.
  offer_ms = 20000,
  -- Consecutive missed offers that set an agent away.
  max_missed = 3,
  -- Bound (s) of the head start a customer's value at risk gives.
  boost_max = 60,
  -- Channels worked alone (csv of channel numbers): voice.
  exclusive = '1',
  -- A customer's interactions within this window (s) form one conversation.
  conv_window = 1800,
  -- How many routing decisions an interaction keeps (its fields ex:1..ex:<n>).
  explain_keep = 20,
  -- Candidates a decision record lists.
  explain_candidates = 8,
  -- Queue strategies by number (admin.proto).
  strategy_names = {'longest_idle', 'most_free_capacity', 'round_robin', 'best_proficiency'},
  -- How far a decision looks: waiting items per signature (only items whose skip set holds a
  -- free agent need more than the head) and free agents per signature.
  match_items = 25,
  match_agents = 20,
  -- Offers one match makes at most.
  match_budget = 100,
  -- How long a customer remembers the agent who last served it (s; a string, as Redis gets it).
  last_agent_ttl_s = '604800',
  -- Entries an agent's offer stream keeps (a string: Redis formats a number argument).
  offer_stream_len_s = '1000',
}
