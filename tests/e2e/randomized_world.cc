#include "tests/e2e/randomized_world.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace omniroute::e2e {
namespace {

// Set-up calls are retried (up to 5 times, 200 ms apart); each failed attempt is printed.
grpc::Status SetupCall(const std::string& what, const std::function<grpc::Status()>& call) {
  grpc::Status st;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    st = call();
    if (st.ok()) break;
    std::printf("randomized: set-up %s attempt %d failed: code %d '%s'\n", what.c_str(), attempt,
                static_cast<int>(st.error_code()), st.error_message().c_str());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return st;
}

}  // namespace

const std::vector<std::pair<std::string, std::map<v1::Channel, int>>>& Profiles() {
  static const auto* profiles = new std::vector<std::pair<std::string, std::map<v1::Channel, int>>>{
      {"chat-email", {{v1::CHANNEL_CHAT, 3}, {v1::CHANNEL_EMAIL, 2}}},
      {"all-round", {{v1::CHANNEL_VOICE, 1}, {v1::CHANNEL_CHAT, 1}, {v1::CHANNEL_EMAIL, 1}}}};
  return *profiles;
}

uint64_t SeedFromEnv() {
  const char* s = std::getenv("OMNIROUTE_RANDOM_SEED");
  uint64_t seed = 0;
  if (s != nullptr && absl::SimpleAtoi(s, &seed)) return seed;
  return kDefaultSeed;
}

std::string StepsJson(const std::vector<QueueSpec>& queues) {
  std::string out = "{";
  bool first_queue = true;
  for (const auto& q : queues) {
    if (q.steps.empty()) continue;
    absl::StrAppend(&out, first_queue ? "" : ",", "\"", q.name, "\":[");
    first_queue = false;
    for (size_t k = 0; k < q.steps.size(); ++k) {
      const auto& st = q.steps[k];
      absl::StrAppend(&out, k == 0 ? "" : ",", "{\"ms\":", st.after_ms, ",\"skills\":{");
      bool first = true;
      for (const auto& [name, level] : st.skills) {
        absl::StrAppend(&out, first ? "" : ",", "\"", name, "\":", level);
        first = false;
      }
      absl::StrAppend(&out, "},\"add\":[");
      for (size_t i = 0; i < st.add.size(); ++i) {
        absl::StrAppend(&out, i == 0 ? "" : ",", "\"", st.add[i], "\"");
      }
      absl::StrAppend(&out, "]}");
    }
    out += "]";
  }
  return out + "}";
}

std::map<std::string, int> RandomizedWorld::RandomSkills(int lo, int hi, int min_level,
                                                         int max_level) {
  std::vector<std::string> pool(std::begin(kCommonSkills), std::end(kCommonSkills));
  std::shuffle(pool.begin(), pool.end(), rng);
  std::map<std::string, int> out;
  int n = Uniform(lo, hi);
  for (int i = 0; i < n; ++i) out[pool[i]] = Uniform(min_level, max_level);
  return out;
}

void RandomizedWorld::StartCluster() {
  testing::ClusterOptions options;
  options.replicas = 2;
  options.routing_replicas = 4;
  // The feed must hold the whole run (~7 events per interaction) for the replay.
  options.extra_flags = {"--event-max-len=1000000"};
  // An agent that declined or missed an interaction is skipped for it for 2 s (not 30 s), so
  // skips also end while work waits.
  options.extra_routing_flags = {"--skip-ms=2000"};
  cluster = std::make_unique<testing::Cluster>(options);
  keys = cluster->CreateTenant(tenant);
  // Two clients per routing replica (agent i uses replica i % 4); clients 0 and 1 reach the
  // two intake replicas.
  std::set<std::string> routing_addresses, intake_addresses;
  for (int i = 0; i < 8; ++i) {
    auto e = cluster->endpoints(i);
    routing_addresses.insert(e.routing);
    if (i < 2) intake_addresses.insert(e.intake);
    apis.push_back(std::make_unique<sim::ApiClient>(e));
  }
  ASSERT_EQ(routing_addresses.size(), 4u);
  ASSERT_EQ(intake_addresses.size(), 2u);
}

void RandomizedWorld::PutQueues() {
  // 20 queues: random channels, 0..2 common required skills at 1..3, random strategy, offers
  // lapse after 1-2 s, no preferred-agent wait; the last one rejects work waiting over 8 s.
  // The first two (the rare-skill queues) take chat and email only, need only the rare skill
  // at 2, and reject work waiting over 10 and 4 s: their backlog stays bounded whatever the
  // seed.
  for (int i = 0; i < kQueues; ++i) {
    QueueSpec q;
    q.name = absl::StrCat("q", i < 10 ? "0" : "", i);
    int mask = Uniform(1, 7);
    for (int c = 0; c < 3; ++c) {
      if (mask & (1 << c)) q.channels.push_back(static_cast<v1::Channel>(c + 1));
    }
    int n_skills = std::max(0, Uniform(-1, 2));  // none (1/2), one (1/4) or two (1/4)
    q.skills = RandomSkills(n_skills, n_skills, 1, 3);
    q.max_wait_seconds = i == kQueues - 1 ? 8 : 0;
    if (i < kRareQueues) {
      q.channels = {i == 0 ? v1::CHANNEL_CHAT : v1::CHANNEL_EMAIL};
      q.skills = {{kRareSkill, 2}};
      q.max_wait_seconds = i == 0 ? 10 : 4;
    }
    q.strategy = static_cast<v1::Strategy>(Uniform(1, 4));
    q.offer_timeout_seconds = Uniform(1, 2);
    // Bullseye steps on about 40 % of the common queues: after 1-2 s one required skill is
    // lowered (or dropped at 1), and 1-2 s later the agents of an earlier queue may help.
    if (i >= kRareQueues && Chance(0.4)) {
      int after_ms = Uniform(1, 2) * 1000;
      std::map<std::string, int> in_force = q.skills;
      if (!in_force.empty()) {
        QueueSpec::Step st;
        st.after_ms = after_ms;
        auto it = in_force.begin();
        if (it->second > 1) {
          it->second = 1;
          st.lower = std::make_pair(it->first, 1);
        } else {
          st.drop = it->first;
          in_force.erase(it);
        }
        st.skills = in_force;
        q.steps.push_back(st);
        after_ms += Uniform(1, 2) * 1000;
      }
      if (i > kRareQueues) {
        QueueSpec::Step st;
        st.after_ms = after_ms;
        st.skills = in_force;
        st.add = {queues[Uniform(kRareQueues, i - 1)].name};
        q.steps.push_back(st);
      }
    }
    v1::PutQueueRequest req;
    auto* pq = req.mutable_queue();
    pq->set_name(q.name);
    for (auto ch : q.channels) pq->add_channels(ch);
    for (const auto& [name, level] : q.skills) {
      auto* s = pq->add_required_skills();
      s->set_name(name);
      s->set_proficiency(level);
    }
    pq->set_strategy(q.strategy);
    pq->set_offer_timeout_seconds(q.offer_timeout_seconds);
    pq->set_preferred_agent_seconds(-1);
    pq->set_max_wait_seconds(q.max_wait_seconds);
    for (const auto& st : q.steps) {
      auto* ps = pq->add_steps();
      ps->set_after_seconds(st.after_ms / 1000);
      if (st.lower) {
        auto* l = ps->add_lower_proficiency();
        l->set_name(st.lower->first);
        l->set_proficiency(st.lower->second);
      }
      if (!st.drop.empty()) ps->add_drop_skills(st.drop);
      for (const auto& a : st.add) ps->add_add_queues(a);
    }
    v1::PutQueueResponse resp;
    auto st = SetupCall("PutQueue " + q.name, [&] {
      return apis[0]->admin().PutQueue(sim::ApiClient::Context(keys["admin"]).get(), req, &resp);
    });
    ASSERT_TRUE(st.ok()) << q.name << ": " << st.error_code() << " " << st.error_message();
    queues.push_back(std::move(q));
  }
}

void RandomizedWorld::PutTenantConfig() {
  // Classification rules add skills of their own to some of the work (~30 % of the sample
  // subjects); the requested queue still wins. Voice is the exclusive channel (the default).
  v1::PutTenantConfigRequest req;
  const std::vector<std::pair<std::string, std::map<std::string, int>>> rules = {
      {"fraud", {{"fraud", 2}}},
      {"password", {{"tech", 3}}},
      {"refund", {{"billing", 2}, {"sales", 1}}}};
  for (const auto& [word, skills] : rules) {
    auto* r = req.mutable_config()->add_rules();
    r->set_name(word);
    r->add_keywords(word);
    r->set_category(word);
    r->set_queue(queues[0].name);
    for (const auto& [name, level] : skills) {
      auto* s = r->add_required_skills();
      s->set_name(name);
      s->set_proficiency(level);
    }
  }
  // Capacity profiles some agents log in with.
  for (const auto& [name, caps] : Profiles()) {
    auto* p = req.mutable_config()->add_capacity_profiles();
    p->set_name(name);
    for (const auto& [ch, max] : caps) {
      auto* c = p->add_capacities();
      c->set_channel(ch);
      c->set_max(max);
    }
  }
  v1::PutTenantConfigResponse resp;
  auto st = SetupCall("PutTenantConfig", [&] {
    return apis[0]->admin().PutTenantConfig(sim::ApiClient::Context(keys["admin"]).get(), req,
                                            &resp);
  });
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
}

void RandomizedWorld::StartAgents() {
  // 200 agents. The first 4 are generalists (every skill at 5, capacity on every channel,
  // slow, never misbehave: all work can complete); the next 16 are slow specialists with the
  // rare skill besides 2..4 common ones and one chat and one email slot; the others get 2..5
  // common skills. Skill levels are 1..5, other capacities random. Non-generalists at random
  // decline offers, miss offers (some often), take breaks and change their common skills.
  // Handle times: 5-40 ms, slow agents 200-1000 ms.
  for (int i = 0; i < kAgents; ++i) {
    sim::AgentBehavior b;
    b.handle_ms_min = 5;
    b.handle_ms_max = 40;
    b.seed = seed * 1000 + i;
    // Set away after 3 lapsed offers in a row (the tenant's max_missed_offers, by default):
    // missed on purpose, or answered too late on a loaded machine. Every agent comes back.
    b.away_after_missed = 3;
    b.comeback_ms = Uniform(100, 1000);
    const bool generalist = i < kGeneralists;
    const bool specialist = !generalist && i < kGeneralists + kSpecialists;
    if (generalist || specialist) {
      b.handle_ms_min = 200;
      b.handle_ms_max = 1000;
    }
    if (generalist) {
      for (const auto& s : kCommonSkills) b.skills[s] = 5;
      b.skills[kRareSkill] = 5;
      b.capacity = {{v1::CHANNEL_VOICE, 1}, {v1::CHANNEL_CHAT, 2}, {v1::CHANNEL_EMAIL, 2}};
    } else {
      b.skills = RandomSkills(2, specialist ? 4 : 5, 1, 5);
      b.capacity = {{v1::CHANNEL_VOICE, Chance(0.7) ? 1 : 0},
                    {v1::CHANNEL_CHAT, Uniform(0, 4)},
                    {v1::CHANNEL_EMAIL, Uniform(0, 5)}};
      if (specialist) {
        b.skills[kRareSkill] = Uniform(2, 5);
        b.capacity[v1::CHANNEL_CHAT] = 1;
        b.capacity[v1::CHANNEL_EMAIL] = 1;
      }
      if (b.capacity[v1::CHANNEL_CHAT] + b.capacity[v1::CHANNEL_EMAIL] == 0) {
        b.capacity[v1::CHANNEL_CHAT] = 1;
      }
      if (!specialist && Chance(0.2)) {
        // Capacities from a profile of the tenant config instead of the agent's own.
        const auto& [name, caps] = Profiles()[Uniform(0, 1)];
        b.capacity_profile = name;
        b.capacity = caps;
        ++profiled;
      }
      if (Chance(0.35)) {
        b.reject_probability = Uniform(5, 30) / 100.0;
        ++decliners;
      }
      if (Chance(0.25)) {
        // One in four of these misses often enough to be set away now and then.
        b.miss_probability = Chance(0.25) ? Uniform(40, 70) / 100.0 : Uniform(5, 25) / 100.0;
        ++missers;
      }
      if (Chance(0.35)) {
        b.break_every_ms = Uniform(2000, 6000);
        b.break_ms_min = 100;
        b.break_ms_max = Uniform(200, 800);
        ++breakers;
      }
      if (Chance(0.25)) {
        b.skill_change_every_ms = Uniform(2000, 5000);
        b.skill_sets = {b.skills, RandomSkills(2, 4, 1, 5), RandomSkills(2, 4, 1, 5)};
        if (specialist) {
          for (size_t k = 1; k < b.skill_sets.size(); ++k) {
            b.skill_sets[k][kRareSkill] = b.skills[kRareSkill];
          }
        }
        ++changers;
      }
    }
    char id[32];
    std::snprintf(id, sizeof(id), "agent-%03d", i);
    for (const auto& [ch, max] : b.capacity) capacity[id][static_cast<int>(ch)] = max;
    if (b.miss_probability > 0) miss_on_purpose.insert(id);
    agents.push_back(
        std::make_unique<sim::SimAgent>(apis[i % apis.size()].get(), keys["agent"], id, b));
    ASSERT_TRUE(agents.back()->Start()) << id;
  }
}

std::vector<std::pair<std::string, std::vector<v1::Channel>>> RandomizedWorld::TrafficTargets() {
  std::vector<std::pair<std::string, std::vector<v1::Channel>>> targets;
  // Queues get 1..4 shares of the traffic; the rare-skill queues 10 each (~15 % each, ~38/s,
  // about what their 20 slow agents' one or two slots on the channel can take, or more).
  for (int i = 0; i < kQueues; ++i) {
    for (int w = i < kRareQueues ? 10 : Uniform(1, 4); w > 0; --w) {
      targets.push_back({queues[i].name, queues[i].channels});
    }
  }
  return targets;
}

}  // namespace omniroute::e2e
