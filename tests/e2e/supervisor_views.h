// Calls of the supervisor-view e2e tests (supervisor_views_test.cc): agents logging in,
// submissions to a queue, and the views read page by page.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace omniroute::e2e {

using sim::ApiClient;

// One agent's SetAgentState: its state, capacities by channel, skills and away reason.
struct AgentSpec {
  std::string id;
  v1::AgentState state = v1::AGENT_STATE_AVAILABLE;
  std::map<v1::Channel, int> capacities;
  std::map<std::string, int> skills;
  std::string away_reason;
};

// Every item of a paged listing: `call` fetches the page `r` asks for, `items` picks its
// items; then the next page, until one comes without a next_page_token. `last` gets the last
// page, `pages` (when given) the number of calls.
template <typename Req, typename Resp, typename Call, typename Items>
auto PageThrough(Req r, Call call, Items items, Resp* last, int* pages) {
  using Item = typename std::decay_t<decltype(items(*last))>::value_type;
  std::vector<Item> out;
  for (int n = 1; n <= 100; ++n) {
    auto st = call(r, last);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_LE(items(*last).size(), r.page_size());
    out.insert(out.end(), items(*last).begin(), items(*last).end());
    if (pages != nullptr) *pages = n;
    if (!st.ok() || last->next_page_token().empty()) break;
    r.set_page_token(last->next_page_token());
  }
  return out;
}

class Views {
 public:
  Views(ApiClient& api, std::map<std::string, std::string> keys)
      : api_(api), keys_(std::move(keys)) {}
  const std::string& key(const std::string& role) { return keys_[role]; }

  grpc::Status SetState(const AgentSpec& a) {
    v1::SetAgentStateRequest r;
    r.set_agent_id(a.id);
    r.set_state(a.state);
    for (const auto& [ch, max] : a.capacities) {
      auto* c = r.add_capacities();
      c->set_channel(ch);
      c->set_max(max);
    }
    for (const auto& [name, proficiency] : a.skills) {
      auto* s = r.add_skills();
      s->set_name(name);
      s->set_proficiency(proficiency);
    }
    r.set_away_reason(a.away_reason);
    v1::SetAgentStateResponse resp;
    return api_.routing().SetAgentState(ApiClient::Context(key("agent")).get(), r, &resp);
  }

  // Submits work to `queue`; returns its id ("" and a test failure when the call fails).
  std::string Submit(v1::Channel ch, v1::Priority p, const std::string& subject,
                     const std::string& queue) {
    v1::SubmitInteractionRequest r;
    r.set_channel(ch);
    r.set_priority(p);
    r.set_subject(subject);
    r.set_queue(queue);
    v1::SubmitInteractionResponse resp;
    auto st =
        api_.intake().SubmitInteraction(ApiClient::Context(key("integrator")).get(), r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.interaction_id();
  }

  v1::GetInteractionResponse Get(const std::string& id) {
    v1::GetInteractionRequest g;
    g.set_interaction_id(id);
    v1::GetInteractionResponse r;
    auto st = api_.intake().GetInteraction(ApiClient::Context(key("supervisor")).get(), g, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return r;
  }

  // Waits until the interaction is in `state` (and, when given, with `agent`).
  bool WaitState(const std::string& id, v1::InteractionState state, const std::string& agent = "") {
    return WaitFor(
        [&] {
          auto ix = Get(id).interaction();
          return ix.state() == state && (agent.empty() || ix.agent_id() == agent);
        },
        std::chrono::seconds(10));
  }

  grpc::Status Accept(const std::string& agent, const std::string& id) {
    v1::AcceptOfferRequest r;
    r.set_agent_id(agent);
    r.set_interaction_id(id);
    v1::AcceptOfferResponse resp;
    return api_.routing().AcceptOffer(ApiClient::Context(key("agent")).get(), r, &resp);
  }

  grpc::Status Complete(const std::string& agent, const std::string& id) {
    v1::CompleteInteractionRequest r;
    r.set_agent_id(agent);
    r.set_interaction_id(id);
    v1::CompleteInteractionResponse resp;
    return api_.routing().CompleteInteraction(ApiClient::Context(key("agent")).get(), r, &resp);
  }

  grpc::Status GetAgent(const std::string& agent, v1::AgentView* out,
                        const std::string& role = "supervisor") {
    v1::GetAgentRequest r;
    r.set_agent_id(agent);
    return api_.routing().GetAgent(ApiClient::Context(key(role)).get(), r, out);
  }

  grpc::Status ListAgents(v1::ListAgentsRequest r, v1::ListAgentsResponse* out) {
    return api_.routing().ListAgents(ApiClient::Context(key("supervisor")).get(), r, out);
  }

  grpc::Status ListWaiting(v1::ListWaitingRequest r, v1::ListWaitingResponse* out) {
    return api_.routing().ListWaiting(ApiClient::Context(key("admin")).get(), r, out);
  }

  // Every agent ListAgents lists with these filters, paging `page_size` at a time; `pages`
  // counts the calls.
  std::vector<v1::AgentView> AllAgents(int page_size, const std::string& queue = "",
                                       v1::AgentState state = v1::AGENT_STATE_UNSPECIFIED,
                                       int* pages = nullptr) {
    v1::ListAgentsRequest r;
    r.set_page_size(page_size);
    r.set_queue(queue);
    r.set_state(state);
    v1::ListAgentsResponse last;
    return PageThrough(
        r, [this](const auto& req, auto* resp) { return ListAgents(req, resp); },
        [](const v1::ListAgentsResponse& p) -> const auto& { return p.agents(); }, &last, pages);
  }

  // Every item ListWaiting lists for (queue, channel), paging `page_size` at a time.
  std::vector<v1::WaitingItem> AllWaiting(const std::string& queue, v1::Channel ch, int page_size,
                                          v1::ListWaitingResponse* last = nullptr) {
    v1::ListWaitingRequest r;
    r.set_queue(queue);
    r.set_channel(ch);
    r.set_page_size(page_size);
    v1::ListWaitingResponse page;
    return PageThrough(
        r, [this](const auto& req, auto* resp) { return ListWaiting(req, resp); },
        [](const v1::ListWaitingResponse& p) -> const auto& { return p.items(); },
        last != nullptr ? last : &page, nullptr);
  }

 private:
  ApiClient& api_;
  std::map<std::string, std::string> keys_;
};

}  // namespace omniroute::e2e
