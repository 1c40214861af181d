#include "tools/demo/demo_agents.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_format.h"

namespace omniroute::demo {
namespace {

// How the people of one human queue are made.
struct Pool {
  const char* queue;
  std::map<v1::Channel, int> per_agent;            // most slots one person has, per channel
  std::vector<std::map<std::string, int>> skills;  // cycled over the pool's people
  // Every n-th person of the pool (0 = none) declines this share of offers: a declined offer
  // goes straight back to the queue (the decline takes milliseconds, no handle time), so it
  // costs waiting, not capacity.
  int decliner_every;
  double decline;
};

const std::vector<Pool>& Pools() {
  using C = v1::Channel;
  static const std::vector<Pool> p = {
      // Voice is worked alone (a call blocks chats and emails): voice people take nothing else,
      // or chats would hold the seats the calls need.
      {"voice",
       {{C::CHANNEL_VOICE, 1}},
       {{{"voice_support", 3}}, {{"voice_support", 2}}, {{"voice_support", 1}}},
       4,
       0.2},
      {"chat", {{C::CHANNEL_CHAT, 3}}, {{{"chat_support", 3}}, {{"chat_support", 2}}}, 3, 0.25},
      // Billing 1 is below the billing queue's 2: those people help with billing emails only
      // once the queue's 15 s bullseye step lowers it to 1.
      {"email",
       {{C::CHANNEL_EMAIL, 5}},
       {{{"email_support", 2}}, {{"email_support", 1}, {"billing", 1}}},
       0,
       0},
      {"billing",
       {{C::CHANNEL_CHAT, 3}, {C::CHANNEL_EMAIL, 3}},
       {{{"billing", 3}}, {{"billing", 2}}},
       0,
       0},
  };
  return p;
}

}  // namespace

std::vector<RosterEntry> Roster(const std::vector<QueueLoad>& loads) {
  std::vector<std::vector<RosterEntry>> pools;
  for (const Pool& pool : Pools()) {
    std::map<v1::Channel, int> slots;
    int people = 0;
    for (const auto& l : loads) {
      auto per_agent = pool.per_agent.find(l.channel);
      if (l.queue != pool.queue || per_agent == pool.per_agent.end()) continue;
      slots[l.channel] = l.slots;
      people = std::max(people, (l.slots + per_agent->second - 1) / per_agent->second);
    }
    auto& out = pools.emplace_back();
    for (int i = 0; i < people; ++i) {
      RosterEntry e;
      e.queue = pool.queue;
      for (const auto& [ch, n] : slots) {
        int mine = n / people + (i < n % people ? 1 : 0);
        if (mine == 0) continue;
        e.behavior.capacity[ch] = mine;
        const HandleTime& h = PeopleHandleTimes().at(ch);
        e.behavior.handle_ms_by_channel[ch] = {h.min_ms, h.max_ms};
      }
      e.behavior.skills = pool.skills[i % pool.skills.size()];
      if (pool.decliner_every > 0 && (i + 1) % pool.decliner_every == 0) {
        e.behavior.reject_probability = pool.decline;
      }
      out.push_back(std::move(e));
    }
  }
  size_t longest = 0;
  for (const auto& p : pools) longest = std::max(longest, p.size());
  std::vector<RosterEntry> roster;
  for (size_t round = 0; round < longest; ++round) {
    for (const auto& p : pools) {
      if (round < p.size()) roster.push_back(p[round]);
    }
  }
  return roster;
}

Staff StartAgents(sim::ApiClient* api, const std::string& agent_key,
                  const std::vector<RosterEntry>& roster, int count, uint64_t seed) {
  Staff staff;
  const size_t n = count > 0 ? static_cast<size_t>(count) : roster.size();
  for (size_t i = 0; i < n && !roster.empty(); ++i) {
    const RosterEntry& e = roster[i % roster.size()];
    sim::AgentBehavior b = e.behavior;
    b.seed = seed + 1 + i;
    auto agent =
        std::make_unique<sim::SimAgent>(api, agent_key, absl::StrFormat("agent-%02d", i + 1), b);
    if (!agent->Start()) {
      std::fprintf(stderr, "omniroute-demo: %s could not log in\n", agent->id().c_str());
      continue;
    }
    staff.agents.push_back(std::move(agent));
    for (const auto& [ch, slots] : b.capacity) staff.people_slots += slots;
    ++staff.people_by_queue[e.queue];
  }
  staff.people = staff.agents.size();
  if (staff.people > 0) {
    // One bot serves the self-service queue: it resolves most password resets and escalates
    // the rest to a human, with its context. Software: its capacity is not staffed.
    sim::AgentBehavior bot;
    bot.capacity = {{v1::CHANNEL_CHAT, 20}, {v1::CHANNEL_EMAIL, 20}};
    bot.skills = {{"bot", 1}};
    bot.handle_ms_min = kBotHandleTime.min_ms;
    bot.handle_ms_max = kBotHandleTime.max_ms;
    bot.escalate_probability = kBotEscalation;
    bot.seed = seed;
    auto agent = std::make_unique<sim::SimAgent>(api, agent_key, "bot-01", bot);
    if (agent->Start()) {
      staff.agents.push_back(std::move(agent));
    } else {
      std::fprintf(stderr, "omniroute-demo: bot-01 could not log in\n");
    }
  }
  return staff;
}

int64_t PeopleBusyMs(const Staff& staff) {
  int64_t ms = 0;
  for (size_t i = 0; i < staff.people; ++i) ms += staff.agents[i]->BusyMs();
  return ms;
}

sim::AgentStats StopAgents(const Staff& staff) {
  sim::AgentStats total;
  for (const auto& a : staff.agents) {
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
