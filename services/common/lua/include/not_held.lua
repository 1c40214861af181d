-- Why an agent may not answer an offer or end an assignment: nil when the work is in `state`
-- with `agent` (given its hash's state, nil when there is no such work, and agent), else the
-- script's reply: {'not_found'}, {'not_<state>', the state it is in} or {'wrong_agent'}.
local function not_held(has_state, has_agent, state, agent)
  if not has_state then
    return {'not_found'}
  end
  if has_state ~= state then
    return {'not_' .. state, has_state}
  end
  if has_agent ~= agent then
    return {'wrong_agent'}
  end
  return nil
end
