#include "tools/demo/demo_agents.h"

#include <cstdio>
#include <map>

#include "absl/strings/str_format.h"

namespace omniroute::demo {
namespace {

struct AgentTemplate {
  std::map<v1::Channel, int> capacity;
  std::map<std::string, int> skills;
  double reject_probability;
  int handle_ms_min, handle_ms_max;
};

// Interleaved so that any prefix covers every queue. Handle times keep the voice seats (the
// scarcest) around 80 % busy at the default 8/s, so a queue forms now and then.
const std::vector<AgentTemplate>& AgentTemplates() {
  using C = v1::Channel;
  static const std::vector<AgentTemplate> t = {
      // capacity, skills, share of offers declined, handle time ms (min, max)
      {{{C::CHANNEL_VOICE, 1}}, {{"voice_support", 3}}, 0.0, 1000, 3200},
      {{{C::CHANNEL_CHAT, 3}}, {{"chat_support", 3}}, 0.0, 3000, 8000},
      {{{C::CHANNEL_EMAIL, 5}}, {{"email_support", 2}}, 0.0, 2000, 6000},
      {{{C::CHANNEL_CHAT, 3}, {C::CHANNEL_EMAIL, 3}},
       {{"billing", 3}, {"chat_support", 2}, {"email_support", 2}},
       0.0,
       2000,
       5000},
      {{{C::CHANNEL_VOICE, 1}}, {{"voice_support", 2}}, 0.0, 1000, 3200},
      {{{C::CHANNEL_CHAT, 3}}, {{"chat_support", 2}}, 0.25, 3000, 8000},  // sometimes declines
      {{{C::CHANNEL_VOICE, 1}, {C::CHANNEL_CHAT, 2}},
       {{"voice_support", 2}, {"chat_support", 2}},
       0.0,
       1000,
       3200},
      {{{C::CHANNEL_CHAT, 2}, {C::CHANNEL_EMAIL, 3}},
       {{"billing", 2}, {"chat_support", 1}, {"email_support", 1}},
       0.0,
       2000,
       5000},
      {{{C::CHANNEL_VOICE, 1}}, {{"voice_support", 1}}, 0.2, 1000, 3200},  // sometimes declines
      {{{C::CHANNEL_EMAIL, 3}, {C::CHANNEL_CHAT, 2}},
       {{"email_support", 1}, {"chat_support", 1}, {"billing", 1}},  // billing 1: not enough
       0.0,
       2000,
       6000},
      {{{C::CHANNEL_VOICE, 1}, {C::CHANNEL_CHAT, 2}},
       {{"voice_support", 1}, {"chat_support", 1}},
       0.0,
       1000,
       3200},
      {{{C::CHANNEL_VOICE, 1}, {C::CHANNEL_EMAIL, 3}},
       {{"voice_support", 2}, {"email_support", 2}},
       0.0,
       1000,
       3200},
  };
  return t;
}

}  // namespace

std::vector<std::unique_ptr<sim::SimAgent>> StartAgents(sim::ApiClient* api,
                                                        const std::string& agent_key, int count) {
  std::vector<std::unique_ptr<sim::SimAgent>> agents;
  const auto& templates = AgentTemplates();
  for (int i = 0; i < count; ++i) {
    const auto& t = templates[i % templates.size()];
    sim::AgentBehavior b;
    b.capacity = t.capacity;
    b.skills = t.skills;
    b.reject_probability = t.reject_probability;
    b.handle_ms_min = t.handle_ms_min;
    b.handle_ms_max = t.handle_ms_max;
    b.seed = 100 + i;
    auto agent =
        std::make_unique<sim::SimAgent>(api, agent_key, absl::StrFormat("agent-%02d", i + 1), b);
    if (!agent->Start()) {
      std::fprintf(stderr, "omniroute-demo: %s could not log in\n", agent->id().c_str());
      continue;
    }
    agents.push_back(std::move(agent));
  }
  if (count > 0) {
    // One bot serves the self-service queue: it resolves most password resets and escalates
    // about a third to a human, with its context.
    sim::AgentBehavior bot;
    bot.capacity = {{v1::CHANNEL_CHAT, 20}, {v1::CHANNEL_EMAIL, 20}};
    bot.skills = {{"bot", 1}};
    bot.handle_ms_min = 500;
    bot.handle_ms_max = 2000;
    bot.escalate_probability = 0.35;
    bot.seed = 99;
    auto agent = std::make_unique<sim::SimAgent>(api, agent_key, "bot-01", bot);
    if (agent->Start()) {
      agents.push_back(std::move(agent));
    } else {
      std::fprintf(stderr, "omniroute-demo: bot-01 could not log in\n");
    }
  }
  return agents;
}

sim::AgentStats StopAgents(const std::vector<std::unique_ptr<sim::SimAgent>>& agents) {
  sim::AgentStats total;
  for (const auto& a : agents) {
    a->Stop();
    auto s = a->Stats();
    total.offers += s.offers;
    total.accepted += s.accepted;
    total.rejected += s.rejected;
    total.completed += s.completed;
    total.escalated += s.escalated;
    total.accept_failed += s.accept_failed;
  }
  return total;
}

}  // namespace omniroute::demo
