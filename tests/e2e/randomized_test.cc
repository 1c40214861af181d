// The randomized invariant test: four routing replicas (two of intake and of classification)
// on one Redis, 200 simulated agents with random skills and capacities, 20 queues with random
// channels, skill requirements and strategies, and 20,000 interactions sent to random queues
// with random priorities, some queues with bullseye steps. While it runs, customers cancel some
// interactions and agents decline offers, miss offers (and, set away for that, come back), take
// breaks and change skills. It checks and prints:
//  (a) one owner per interaction and (b) capacity never exceeded (per channel, and the
//      exclusive-channel rule), by replaying the tenant event feed;
//  (c) every acknowledged interaction ends in exactly one terminal state (completed, canceled
//      or rejected; the feed and GetInteraction agree), nothing is lost and nothing is left in
//      Redis;
//  (d) no available agent with free capacity stays idle for more than 100 ms beside waiting
//      work it may take (idle_check.lua, sampled every ~20 ms during the run; the time an
//      agent is skipped for an interaction it declined or missed aside).
// The seed is printed; OMNIROUTE_RANDOM_SEED=<n> repeats a run's setup and random choices
// (timing still differs). IdleCheck.* prove the idle check can fail, on a hand-built state;
// RoutingGapsE2E.* reproduce, deterministically, the idle agents the check found.
//
// The services fixed what this test found first: skip sets of interactions rejected for
// waiting too long were never deleted, and an agent freed by a lapsed offer, or whose skip for
// an interaction ended, stayed idle beside work it could take until the next sweep (1 s).
//
// About 40 % of the common queues have bullseye steps (a skill lowered or dropped after 1-2 s,
// then an earlier queue's agents added): the idle check gets the steps as configured and counts
// a step open one timer poll (100 ms) after its threshold. About 20 % of the ordinary agents
// take their capacities from a capacity profile of the tenant config.

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"
#include "tests/support/redis_server.h"
#include "tools/sim/sim_agent.h"
#include "tools/sim/traffic.h"

namespace omniroute {
namespace {

using e2e::Clock;
using e2e::Cmd;
using e2e::CmdInt;
using e2e::Prefix;

constexpr uint64_t kDefaultSeed = 20240611;
constexpr int kQueues = 20;
constexpr int kAgents = 200;
constexpr int kGeneralists = 4;  // every skill at 5, never misbehave: all work can complete
constexpr int kInteractions = 20000;
constexpr double kSubmitPerSecond = 250;  // both intake replicas together
constexpr double kCancelShare = 0.05;     // of the interactions, canceled 0..1.5 s after submit
constexpr int kIdleLimitMs = 100;
constexpr int kSampleEveryMs = 20;
constexpr int kMinPauseMs = 5;     // between the end of a sample and the start of the next
constexpr int kItemsPerList = 50;  // oldest waiting items the idle check looks at per list
// A bullseye step opens on the routing replicas' timer poll (every 100 ms) after its threshold:
// the idle check counts it open from then.
constexpr int kStepGraceMs = 100;
// Skills of the random queues and agents; kRareSkill is held only by the generalists and
// kSpecialists slow specialists, and required by the first kRareQueues queues, so that work
// waits in those queues while most agents are idle (and not eligible for it).
constexpr const char* kCommonSkills[] = {"billing",   "tech",   "sales", "fraud",
                                         "retention", "french", "german"};
const char kRareSkill[] = "legal";
constexpr int kSpecialists = 16;
constexpr int kRareQueues = 2;
// Capacity profiles of the tenant config (name, per-channel limits).
const std::vector<std::pair<std::string, std::map<v1::Channel, int>>>& Profiles() {
  static const auto* profiles = new std::vector<std::pair<std::string, std::map<v1::Channel, int>>>{
      {"chat-email", {{v1::CHANNEL_CHAT, 3}, {v1::CHANNEL_EMAIL, 2}}},
      {"all-round", {{v1::CHANNEL_VOICE, 1}, {v1::CHANNEL_CHAT, 1}, {v1::CHANNEL_EMAIL, 1}}}};
  return *profiles;
}

using e2e::WallMs;

double SteadyMs() {
  return std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
}

uint64_t SeedFromEnv() {
  const char* s = std::getenv("OMNIROUTE_RANDOM_SEED");
  uint64_t seed = 0;
  if (s != nullptr && absl::SimpleAtoi(s, &seed)) return seed;
  return kDefaultSeed;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- The idle check ----------------------------------------------------------------------

struct IdleReport {
  int64_t samples = 0;
  int64_t failed = 0;  // samples whose script call failed
  double sample_ms_max = 0;
  double sample_ms_total = 0;
  double exec_ms_max = 0;  // the script's own run time (Redis busy with it)
  double exec_ms_total = 0;
  double max_gap_ms = 0;   // longest time between the starts of two samples
  int64_t episodes = 0;    // (agent, interaction, epoch) pairs seen eligible and idle
  double max_idle_ms = 0;  // longest such episode, as observed
  int64_t violations = 0;  // episodes longer than the limit
  int64_t max_free_agents = 0;
  int64_t max_waiting = 0;
  int64_t busy_samples = 0;  // samples that found work waiting while some agent was free
  int64_t max_looked = 0;
  int64_t stale = 0;  // samples that found an item in a waiting set not in state 'queued'
  std::vector<std::string> examples;
  std::string longest;  // the longest episode, described
  // The first violations: the pair, when it was seen (wall clock ms) and what the routing
  // indexes said about it when the violation was detected.
  struct Violation {
    std::string agent;
    std::string id;
    int64_t first_wall_ms = 0;
    int64_t last_wall_ms = 0;
    std::string routing_view;
  };
  std::vector<Violation> details;

  double sample_ms_avg() const { return samples > 0 ? sample_ms_total / samples : 0; }
  double exec_ms_avg() const { return samples > 0 ? exec_ms_total / samples : 0; }
};

// Runs idle_check.lua every kSampleEveryMs on its own thread and tracks, for each (agent,
// interaction) pair the script reports, how long it stays eligible and idle. An episode is one
// pair with one epoch (the script's epoch changes when either side gets an offer or the agent
// changes state or skills), so a pair reported by two samples stayed eligible in between even
// when the samples are far apart. Durations are lower bounds: from the end of the first sample
// that saw the episode to the start of the last one.
class IdleSampler {
 public:
  // steps_json: the bullseye steps the test configured (see idle_check.lua's ARGV[4]).
  IdleSampler(const testing::RedisServer& redis, std::string prefix, int limit_ms = kIdleLimitMs,
              std::string steps_json = "{}")
      : conn_(redis.Connect()),
        prefix_(std::move(prefix)),
        limit_ms_(limit_ms),
        steps_json_(std::move(steps_json)) {
    std::string script = ReadFile(OMNIROUTE_IDLE_CHECK_LUA);
    EXPECT_FALSE(script.empty()) << "cannot read " << OMNIROUTE_IDLE_CHECK_LUA;
    auto r = Cmd(*conn_, {"SCRIPT", "LOAD", script});
    EXPECT_FALSE(r.is_error()) << r.str;
    sha_ = r.str;
  }
  ~IdleSampler() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }

  // Stops sampling; episodes still open count as they stand.
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  IdleReport Report() const {
    std::lock_guard<std::mutex> lock(mu_);
    return report_;
  }

 private:
  struct Episode {
    double first_ms = 0;  // end of the first sample that saw it
    double last_ms = 0;   // start of the last sample that saw it
    int64_t first_wait_ms = 0;
    int64_t last_wait_ms = 0;
    int64_t first_wall_ms = 0;
    bool counted = false;  // already counted as a violation
    int detail = -1;       // index in report_.details
  };

  void Loop() {
    double next = SteadyMs();
    double last_start = 0;
    while (!stop_.load()) {
      double start = SteadyMs();
      if (last_start > 0) ReportGap(start - last_start);
      last_start = start;
      Sample(start);
      next += kSampleEveryMs;
      // Fell behind (a slow sample): no catch-up burst, and Redis gets a breather.
      double now = SteadyMs();
      if (next < now + kMinPauseMs) next = now + kMinPauseMs;
      std::this_thread::sleep_for(
          std::chrono::microseconds(static_cast<int64_t>((next - now) * 1000)));
    }
  }

  void ReportGap(double gap) {
    std::lock_guard<std::mutex> lock(mu_);
    report_.max_gap_ms = std::max(report_.max_gap_ms, gap);
  }

  void Sample(double start) {
    int64_t wall_ms = WallMs();
    auto r =
        conn_->Command({"EVALSHA", sha_, "0", prefix_, std::to_string(wall_ms),
                        std::to_string(kItemsPerList), steps_json_, std::to_string(kStepGraceMs)});
    double end = SteadyMs();
    std::lock_guard<std::mutex> lock(mu_);
    ++report_.samples;
    report_.sample_ms_total += end - start;
    report_.sample_ms_max = std::max(report_.sample_ms_max, end - start);
    if (!r.ok() || r->is_error() || r->elements.size() != 2 ||
        r->elements[1].elements.size() != 5) {
      if (++report_.failed <= 3) {
        report_.examples.push_back(
            absl::StrCat("sample failed: ", r.ok() ? r->str : r.status().ToString()));
      }
      return;
    }
    const auto& counts = r->elements[1].elements;
    report_.max_free_agents = std::max(report_.max_free_agents, counts[0].integer);
    report_.max_looked = std::max(report_.max_looked, counts[1].integer);
    report_.max_waiting = std::max(report_.max_waiting, counts[2].integer);
    if (counts[0].integer > 0 && counts[2].integer > 0) ++report_.busy_samples;
    if (counts[3].integer > 0) ++report_.stale;
    double exec_ms = static_cast<double>(counts[4].integer) / 1000.0;
    report_.exec_ms_total += exec_ms;
    report_.exec_ms_max = std::max(report_.exec_ms_max, exec_ms);
    std::set<std::string> seen;
    for (const auto& p : r->elements[0].elements) {
      if (p.elements.size() != 4) continue;
      std::string key =
          absl::StrCat(p.elements[0].str, " ", p.elements[1].str, " ", p.elements[2].str);
      seen.insert(key);
      auto [it, fresh] = open_.try_emplace(key);
      Episode& ep = it->second;
      if (fresh) {
        ep.first_ms = ep.last_ms = end;
        ep.first_wall_ms = wall_ms;
        ep.first_wait_ms = p.elements[3].integer;
        ++report_.episodes;
      } else {
        ep.last_ms = start;
      }
      ep.last_wait_ms = p.elements[3].integer;
      double lasted = ep.last_ms - ep.first_ms;
      if (lasted > report_.max_idle_ms || report_.longest.empty()) {
        report_.max_idle_ms = std::max(report_.max_idle_ms, lasted);
        report_.longest =
            absl::StrCat("agent ", p.elements[0].str, " beside ", p.elements[1].str, " for ",
                         static_cast<int64_t>(lasted), " ms (epoch ", p.elements[2].str,
                         "), the item waiting ", ep.first_wait_ms, "..", ep.last_wait_ms, " ms");
      }
      if (lasted > limit_ms_ && !ep.counted) {
        ep.counted = true;
        ++report_.violations;
        if (report_.examples.size() < 10) {
          report_.examples.push_back(
              absl::StrCat("agent ", p.elements[0].str, " idle beside ", p.elements[1].str,
                           " (epoch ", p.elements[2].str, ") for > ", static_cast<int64_t>(lasted),
                           " ms, the item waiting ", ep.last_wait_ms, " ms"));
        }
        if (report_.details.size() < 5) {
          ep.detail = static_cast<int>(report_.details.size());
          report_.details.push_back({p.elements[0].str, p.elements[1].str, ep.first_wall_ms,
                                     wall_ms, RoutingView(p.elements[0].str, p.elements[1].str)});
        }
      }
      if (ep.detail >= 0) report_.details[ep.detail].last_wall_ms = wall_ms;
    }
    // An episode not seen in this sample has ended.
    for (auto it = open_.begin(); it != open_.end();) {
      it = seen.count(it->first) ? std::next(it) : open_.erase(it);
    }
  }

  // What the routing state says about an agent and a waiting item (read right after the
  // sample that found the violation, not atomically with it).
  std::string RoutingView(const std::string& agent, const std::string& id) {
    const std::string& P = prefix_;
    auto get = [&](const std::vector<std::string>& argv) {
      auto r = conn_->Command(argv);
      if (!r.ok()) return std::string("?");
      std::string out;
      e2e::Serialize(*r, &out);
      return out;
    };
    auto f = conn_->Command({"HMGET", P + ":ix:" + id, "queue", "channel", "sig", "state", "score",
                             "priority", "reserved"});
    if (!f.ok() || f->elements.size() != 7) return "?";
    const std::string q = f->elements[0].str, ch = f->elements[1].str, sig = f->elements[2].str;
    const std::string list = q + ":" + ch + ":" + sig;
    return absl::StrCat("item queue=", q, " ch=", ch, " sig=", sig, " state=", f->elements[3].str,
                        " score=", f->elements[4].str, " prio=", f->elements[5].str,
                        " reserved=", f->elements[6].str, "; rank in q:", list, "=",
                        get({"ZRANK", P + ":q:" + list, id}), " of ",
                        get({"ZCARD", P + ":q:" + list}), "; agent in qa:", list, "=",
                        get({"ZSCORE", P + ":qa:" + list, agent}), " qa:", q, ":", ch,
                        ":0=", get({"ZSCORE", P + ":qa:" + q + ":" + ch + ":0", agent}),
                        " agq=", get({"SISMEMBER", P + ":agq:" + agent, q}),
                        " skip=", get({"ZSCORE", P + ":skip:" + id, agent}),
                        "; qa size=", get({"ZCARD", P + ":qa:" + list}), "; agent hash ",
                        get({"HGETALL", P + ":ag:" + agent}));
  }

  std::unique_ptr<redis::Connection> conn_;
  const std::string prefix_;
  const int limit_ms_;
  const std::string steps_json_;
  std::string sha_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::map<std::string, Episode> open_;
  IdleReport report_;
};

// ---- The idle check can fail: hand-built states, no routing service ----------------------

class IdleCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = redis_.Connect();
    // One available agent (chat capacity 2, holding nothing, billing 3) and one chat item of
    // queue q1 (billing >= 2) waiting for 5 s: the agent is eligible and idle.
    Put({"SADD", P + ":agents", "a1"});
    Put({"HSET", P + ":ag:a1", "state", "available", "cap:1", "1", "cap:2", "2", "load:2", "0",
         "offer_ms", "1", "idle_ms", "1"});
    Put({"HSET", P + ":agsk:a1", "billing", "3"});
    Put({"SADD", P + ":queues", "q1"});
    Put({"HSET", P + ":qc:q1", "channels", "1,2", "skills", "{\"billing\":2}"});
    AddWaiting("ix1", "2", "{}");
  }

  void Put(const std::vector<std::string>& argv) {
    auto r = Cmd(*conn_, argv);
    ASSERT_FALSE(r.is_error()) << r.str;
  }

  void AddWaiting(const std::string& id, const std::string& ch, const std::string& skills) {
    Put({"ZADD", P + ":qt:q1:" + ch, std::to_string(WallMs() - 5000), id});
    Put({"HSET", P + ":ix:" + id, "state", "queued", "queue", "q1", "channel", ch, "skills",
         skills});
  }

  // Samples for `ms` and returns what the sampler saw.
  IdleReport Run(int ms, const std::string& steps_json = "{}") {
    IdleSampler sampler(redis_, P, kIdleLimitMs, steps_json);
    sampler.Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    sampler.Stop();
    auto report = sampler.Report();
    EXPECT_EQ(report.failed, 0) << absl::StrJoin(report.examples, "\n");
    EXPECT_GE(report.samples, ms / kSampleEveryMs / 2);
    return report;
  }

  testing::RedisServer redis_;
  std::unique_ptr<redis::Connection> conn_;
  const std::string P = Prefix("idle");
};

TEST_F(IdleCheck, FlagsAnEligibleAgentLeftIdleBesideWaitingWork) {
  auto report = Run(300);
  EXPECT_EQ(report.violations, 1) << absl::StrJoin(report.examples, "\n");
  EXPECT_GT(report.max_idle_ms, kIdleLimitMs);
  EXPECT_EQ(report.episodes, 1);
  ASSERT_FALSE(report.examples.empty());
  EXPECT_NE(report.examples[0].find("agent a1 idle beside ix1"), std::string::npos);
}

// Bullseye steps widen eligibility once open (threshold plus grace), not before: the item has
// waited 5 s; the agent (billing 3) qualifies only through a step that lowers billing to 3.
TEST_F(IdleCheck, AStepMakesAnAgentEligibleOnlyOnceItIsOpen) {
  Put({"HSET", P + ":qc:q1", "skills", "{\"billing\":4}"});
  auto lowered_after = [](int ms) {
    return absl::StrCat("{\"q1\":[{\"ms\":", ms, ",\"skills\":{\"billing\":3},\"add\":[]}]}");
  };
  EXPECT_EQ(Run(300, lowered_after(60000)).violations, 0) << "step not open yet";
  EXPECT_EQ(Run(300, lowered_after(1000)).violations, 1) << "step open for 4 s";
  // A step adding queue q2, whose skills the agent has, makes it eligible too.
  Put({"HSET", P + ":qc:q2", "channels", "2", "skills", "{\"billing\":1}"});
  EXPECT_EQ(
      Run(300, "{\"q1\":[{\"ms\":1000,\"skills\":{\"billing\":4},\"add\":[\"q2\"]}]}").violations,
      1);
}

TEST_F(IdleCheck, AgentLackingTheQueueSkillIsNotEligible) {
  Put({"HSET", P + ":agsk:a1", "billing", "1"});
  auto report = Run(300);
  EXPECT_EQ(report.violations, 0);
  EXPECT_EQ(report.episodes, 0);
}

TEST_F(IdleCheck, EligibilityFollowsStateCapacitySkillsSkipsAndExclusiveChannels) {
  auto episodes = [&] { return Run(60).episodes; };
  // The item's own skills (from classification) count.
  Put({"HSET", P + ":ix:ix1", "skills", "{\"fraud\":1}"});
  EXPECT_EQ(episodes(), 0);
  Put({"HSET", P + ":agsk:a1", "fraud", "1"});
  EXPECT_EQ(episodes(), 1);
  // An agent skipped for the item (it declined or missed it) is not eligible until then.
  Put({"ZADD", P + ":skip:ix1", std::to_string(WallMs() + 60000), "a1"});
  EXPECT_EQ(episodes(), 0);
  Put({"ZADD", P + ":skip:ix1", std::to_string(WallMs() - 1), "a1"});
  EXPECT_EQ(episodes(), 1);
  // Away, or at capacity: not eligible.
  Put({"HSET", P + ":ag:a1", "state", "away"});
  EXPECT_EQ(episodes(), 0);
  Put({"HSET", P + ":ag:a1", "state", "available", "load:2", "2"});
  EXPECT_EQ(episodes(), 0);
  Put({"HSET", P + ":ag:a1", "load:2", "1"});
  EXPECT_EQ(episodes(), 1);
  // Voice (exclusive by default) goes only to an agent holding nothing on another channel...
  Put({"ZREM", P + ":qt:q1:2", "ix1"});
  AddWaiting("ix2", "1", "{}");
  EXPECT_EQ(episodes(), 0);
  Put({"HSET", P + ":ag:a1", "load:2", "0"});
  EXPECT_EQ(episodes(), 1);
  // ... and an agent holding voice takes nothing else (chat capacity 2 is free).
  Put({"HSET", P + ":ag:a1", "cap:1", "2", "load:1", "1"});
  Put({"ZADD", P + ":qt:q1:2", std::to_string(WallMs() - 5000), "ix1"});
  EXPECT_EQ(episodes(), 1);  // the second voice slot, for ix2
  Put({"HSET", P + ":ag:a1", "cap:1", "1"});
  EXPECT_EQ(episodes(), 0);
  Put({"ZREM", P + ":qt:q1:2", "ix1"});
  Put({"HSET", P + ":ag:a1", "load:1", "0"});
  // Not exclusive: voice beside chat work.
  Put({"HSET", P + ":ag:a1", "load:2", "1"});
  Put({"HSET", P + ":cfg", "exclusive", ""});
  EXPECT_EQ(episodes(), 1);
  // Work reserved for its preferred agent waits for that agent alone.
  Put({"HSET", P + ":ix:ix2", "reserved", "a2"});
  EXPECT_EQ(episodes(), 0);
  // An item in a waiting set whose state is not 'queued' is reported as stale.
  Put({"HSET", P + ":ix:ix2", "state", "offered"});
  EXPECT_GT(Run(60).stale, 0);
}

// ---- Deterministic reproductions of the gaps the idle check found ---------------------------
//
// One replica of each service with the sweep (the work-conservation safety net) slowed to once
// a minute, so only the transitions themselves can make an offer. Both fail until routing
// matches the agent when its offer lapses and matches the work when a skip ends.

class RoutingGapsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::ClusterOptions options;
    options.extra_routing_flags = {"--skip-ms=1000", "--sweep-interval-ms=60000",
                                   "--timer-interval-ms=20"};
    cluster_ = std::make_unique<testing::Cluster>(options);
    keys_ = cluster_->CreateTenant("gaps");
    api_ = std::make_unique<sim::ApiClient>(cluster_->endpoints());
    for (const char* q : {"qa", "qb"}) {
      auto st = e2e::PutQueue(*api_, keys_["admin"], q, {v1::CHANNEL_CHAT},
                              /*offer_timeout_seconds=*/1);
      ASSERT_TRUE(st.ok()) << st.error_message();
    }
    // One agent, one chat slot.
    v1::SetAgentStateRequest r;
    r.set_agent_id("solo");
    r.set_state(v1::AGENT_STATE_AVAILABLE);
    auto* c = r.add_capacities();
    c->set_channel(v1::CHANNEL_CHAT);
    c->set_max(1);
    v1::SetAgentStateResponse resp;
    auto st =
        api_->routing().SetAgentState(sim::ApiClient::Context(keys_["agent"]).get(), r, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  std::string Submit(const std::string& queue) {
    v1::SubmitInteractionRequest r;
    r.set_channel(v1::CHANNEL_CHAT);
    r.set_queue(queue);
    v1::SubmitInteractionResponse resp;
    auto st = api_->intake().SubmitInteraction(sim::ApiClient::Context(keys_["integrator"]).get(),
                                               r, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.interaction_id();
  }

  v1::Interaction Get(const std::string& id) {
    v1::GetInteractionRequest g;
    g.set_interaction_id(id);
    v1::GetInteractionResponse gr;
    (void)api_->intake().GetInteraction(sim::ApiClient::Context(keys_["integrator"]).get(), g, &gr);
    return gr.interaction();
  }

  bool WaitState(const std::string& id, v1::InteractionState state,
                 std::chrono::milliseconds timeout) {
    return e2e::WaitFor([&] { return Get(id).state() == state; }, timeout,
                        std::chrono::milliseconds(10));
  }

  std::unique_ptr<testing::Cluster> cluster_;
  std::map<std::string, std::string> keys_;
  std::unique_ptr<sim::ApiClient> api_;
};

// expire_offers.lua frees the agent's capacity when its offer lapses but matches only the
// lapsed interaction's own (queue, channel), not the agent (match_agent): work of another queue
// the agent may take keeps waiting beside it until the next sweep.
TEST_F(RoutingGapsE2E, AnAgentFreedByALapsedOfferGetsTheWaitingWorkOfAnotherQueue) {
  std::string a = Submit("qa");
  ASSERT_TRUE(WaitState(a, v1::INTERACTION_STATE_OFFERED, std::chrono::seconds(5)));
  std::string b = Submit("qb");  // waits: the agent's only slot holds the offer of a
  ASSERT_TRUE(WaitState(b, v1::INTERACTION_STATE_QUEUED, std::chrono::seconds(5)));
  // The agent does not answer; a's offer lapses after 1 s (a then skips the agent for 1 s).
  ASSERT_TRUE(WaitState(a, v1::INTERACTION_STATE_QUEUED, std::chrono::seconds(5)));
  auto lapsed = Clock::now();
  bool offered = WaitState(b, v1::INTERACTION_STATE_OFFERED, std::chrono::milliseconds(800));
  EXPECT_TRUE(offered) << "the agent freed by the lapsed offer stayed idle for "
                       << e2e::SecondsSince(lapsed) << " s beside the work waiting in qb";
}

// When the time an agent is skipped for an interaction it declined ends, nothing matches the
// interaction again until the next sweep, though the agent is free and the work waits.
TEST_F(RoutingGapsE2E, WorkIsOfferedAgainWhenTheSkipOfTheOnlyFreeAgentEnds) {
  std::string a = Submit("qa");
  ASSERT_TRUE(WaitState(a, v1::INTERACTION_STATE_OFFERED, std::chrono::seconds(5)));
  v1::RejectOfferRequest r;
  r.set_agent_id("solo");
  r.set_interaction_id(a);
  v1::RejectOfferResponse resp;
  auto st = api_->routing().RejectOffer(sim::ApiClient::Context(keys_["agent"]).get(), r, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  auto rejected = Clock::now();
  ASSERT_EQ(Get(a).state(), v1::INTERACTION_STATE_QUEUED);
  // The agent is skipped for a for 1 s; then a must be offered to it again.
  bool offered = WaitState(a, v1::INTERACTION_STATE_OFFERED, std::chrono::milliseconds(2000));
  EXPECT_TRUE(offered) << "the only free agent stayed idle beside a for "
                       << e2e::SecondsSince(rejected) << " s after declining it (skip: 1 s)";
}

// ---- The randomized run --------------------------------------------------------------------

struct QueueSpec {
  std::string name;
  std::vector<v1::Channel> channels;
  std::map<std::string, int> skills;
  v1::Strategy strategy = v1::STRATEGY_LONGEST_IDLE;
  int offer_timeout_seconds = 1;
  int max_wait_seconds = 0;
  // Bullseye steps, with what each leaves in force (cumulative), as the idle check needs them.
  struct Step {
    int after_ms = 0;
    std::map<std::string, int> skills;
    std::vector<std::string> add;
    std::optional<std::pair<std::string, int>> lower;  // what the step changes
    std::string drop;
  };
  std::vector<Step> steps;
};

// The steps of every queue as idle_check.lua's ARGV[4] JSON.
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

// Cancels interactions at given times (the customer hangs up) from its own thread.
class Canceler {
 public:
  Canceler(std::vector<sim::ApiClient*> apis, std::string key)
      : apis_(std::move(apis)), key_(std::move(key)), thread_([this] { Loop(); }) {}
  ~Canceler() { Finish(); }

  void Add(const std::string& id, Clock::time_point due) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push({due, id});
    cv_.notify_all();
  }

  // Runs what is pending (at its time), then stops.
  void Finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      finish_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

  int64_t canceled = 0;  // CANCELED by this call
  int64_t terminal = 0;  // had ended already
  int64_t assigned = 0;  // FAILED_PRECONDITION: an agent had accepted it
  int64_t errors = 0;    // anything else
  std::string first_error;

 private:
  using Item = std::pair<Clock::time_point, std::string>;

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    int n = 0;
    while (true) {
      if (pending_.empty()) {
        if (finish_) return;
        cv_.wait(lock);
        continue;
      }
      auto due = pending_.top().first;
      if (Clock::now() < due) {
        cv_.wait_until(lock, due);
        continue;
      }
      std::string id = pending_.top().second;
      pending_.pop();
      lock.unlock();
      v1::CancelInteractionRequest req;
      req.set_interaction_id(id);
      v1::CancelInteractionResponse resp;
      auto st = apis_[n++ % apis_.size()]->intake().CancelInteraction(
          sim::ApiClient::Context(key_).get(), req, &resp);
      lock.lock();
      if (st.ok()) {
        resp.state() == v1::INTERACTION_STATE_CANCELED ? ++canceled : ++terminal;
      } else if (st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
        ++assigned;
      } else if (++errors == 1) {
        first_error = st.error_message();
      }
    }
  }

  std::vector<sim::ApiClient*> apis_;
  const std::string key_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> pending_;
  bool finish_ = false;
  std::thread thread_;
};

bool IsTerminal(const std::string& type) {
  return type == "completed" || type == "canceled" || type == "rejected_by_policy";
}

v1::InteractionState TerminalState(const std::string& type) {
  if (type == "completed") return v1::INTERACTION_STATE_COMPLETED;
  if (type == "canceled") return v1::INTERACTION_STATE_CANCELED;
  return v1::INTERACTION_STATE_REJECTED;
}

TEST(RandomizedE2E, FourRoutingReplicasKeepEveryInvariantUnderRandomWork) {
  auto started = Clock::now();
  const uint64_t seed = SeedFromEnv();
  std::printf("randomized: seed=%llu (OMNIROUTE_RANDOM_SEED=%llu repeats it)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto random_skills = [&](int lo, int hi, int min_level, int max_level) {
    std::vector<std::string> pool(std::begin(kCommonSkills), std::end(kCommonSkills));
    std::shuffle(pool.begin(), pool.end(), rng);
    std::map<std::string, int> out;
    int n = uniform(lo, hi);
    for (int i = 0; i < n; ++i) out[pool[i]] = uniform(min_level, max_level);
    return out;
  };

  testing::ClusterOptions options;
  options.replicas = 2;
  options.routing_replicas = 4;
  // The feed must hold the whole run (~7 events per interaction) for the replay.
  options.extra_flags = {"--event-max-len=1000000"};
  // An agent that declined or missed an interaction is skipped for it for 2 s (not 30 s), so
  // skips also end while work waits.
  options.extra_routing_flags = {"--skip-ms=2000"};
  testing::Cluster cluster(options);
  const std::string tenant = "randco";
  const std::string P = Prefix(tenant);
  auto keys = cluster.CreateTenant(tenant);
  // Two clients per routing replica (agent i uses replica i % 4); clients 0 and 1 reach the
  // two intake replicas.
  std::vector<std::unique_ptr<sim::ApiClient>> apis;
  std::set<std::string> routing_addresses, intake_addresses;
  for (int i = 0; i < 8; ++i) {
    auto e = cluster.endpoints(i);
    routing_addresses.insert(e.routing);
    if (i < 2) intake_addresses.insert(e.intake);
    apis.push_back(std::make_unique<sim::ApiClient>(e));
  }
  ASSERT_EQ(routing_addresses.size(), 4u);
  ASSERT_EQ(intake_addresses.size(), 2u);
  sim::ApiClient& admin = *apis[0];
  // Set-up calls are retried (up to 5 times, 200 ms apart); each failed attempt is printed.
  auto setup_call = [&](const std::string& what, const std::function<grpc::Status()>& call) {
    grpc::Status st;
    for (int attempt = 1; attempt <= 5; ++attempt) {
      st = call();
      if (st.ok()) break;
      std::printf("randomized: set-up %s attempt %d failed: code %d '%s'\n", what.c_str(), attempt,
                  static_cast<int>(st.error_code()), st.error_message().c_str());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return st;
  };

  // 20 queues: random channels, 0..2 common required skills at 1..3, random strategy, offers
  // lapse after 1-2 s, no preferred-agent wait; the last one rejects work waiting over 8 s.
  // The first two (the rare-skill queues) take chat and email only, need only the rare skill
  // at 2, and reject work waiting over 10 and 4 s: their backlog stays bounded whatever the
  // seed.
  std::vector<QueueSpec> queues;
  for (int i = 0; i < kQueues; ++i) {
    QueueSpec q;
    q.name = absl::StrCat("q", i < 10 ? "0" : "", i);
    int mask = uniform(1, 7);
    for (int c = 0; c < 3; ++c) {
      if (mask & (1 << c)) q.channels.push_back(static_cast<v1::Channel>(c + 1));
    }
    int n_skills = std::max(0, uniform(-1, 2));  // none (1/2), one (1/4) or two (1/4)
    q.skills = random_skills(n_skills, n_skills, 1, 3);
    q.max_wait_seconds = i == kQueues - 1 ? 8 : 0;
    if (i < kRareQueues) {
      q.channels = {i == 0 ? v1::CHANNEL_CHAT : v1::CHANNEL_EMAIL};
      q.skills = {{kRareSkill, 2}};
      q.max_wait_seconds = i == 0 ? 10 : 4;
    }
    q.strategy = static_cast<v1::Strategy>(uniform(1, 4));
    q.offer_timeout_seconds = uniform(1, 2);
    // Bullseye steps on about 40 % of the common queues: after 1-2 s one required skill is
    // lowered (or dropped at 1), and 1-2 s later the agents of an earlier queue may help.
    if (i >= kRareQueues && chance(0.4)) {
      int after_ms = uniform(1, 2) * 1000;
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
        after_ms += uniform(1, 2) * 1000;
      }
      if (i > kRareQueues) {
        QueueSpec::Step st;
        st.after_ms = after_ms;
        st.skills = in_force;
        st.add = {queues[uniform(kRareQueues, i - 1)].name};
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
    auto st = setup_call("PutQueue " + q.name, [&] {
      return admin.admin().PutQueue(sim::ApiClient::Context(keys["admin"]).get(), req, &resp);
    });
    ASSERT_TRUE(st.ok()) << q.name << ": " << st.error_code() << " " << st.error_message();
    queues.push_back(std::move(q));
  }
  // Classification rules add skills of their own to some of the work (~30 % of the sample
  // subjects); the requested queue still wins. Voice is the exclusive channel (the default).
  {
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
    auto st = setup_call("PutTenantConfig", [&] {
      return admin.admin().PutTenantConfig(sim::ApiClient::Context(keys["admin"]).get(), req,
                                           &resp);
    });
    ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  }
  const std::set<int> exclusive = {v1::CHANNEL_VOICE};

  // 200 agents. The first 4 are generalists (every skill at 5, capacity on every channel,
  // slow, never misbehave: all work can complete); the next 16 are slow specialists with the
  // rare skill besides 2..4 common ones and one chat and one email slot; the others get 2..5
  // common skills. Skill levels are 1..5, other capacities random. Non-generalists at random
  // decline offers, miss offers (some often), take breaks and change their common skills.
  // Handle times: 5-40 ms, slow agents 200-1000 ms.
  std::map<std::string, std::map<int, int>> capacity;
  std::vector<std::unique_ptr<sim::SimAgent>> agents;
  int decliners = 0, missers = 0, breakers = 0, changers = 0, profiled = 0;
  std::set<std::string> miss_on_purpose;
  for (int i = 0; i < kAgents; ++i) {
    sim::AgentBehavior b;
    b.handle_ms_min = 5;
    b.handle_ms_max = 40;
    b.seed = seed * 1000 + i;
    // Set away after 3 lapsed offers in a row (the tenant's max_missed_offers, by default):
    // missed on purpose, or answered too late on a loaded machine. Every agent comes back.
    b.away_after_missed = 3;
    b.comeback_ms = uniform(100, 1000);
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
      b.skills = random_skills(2, specialist ? 4 : 5, 1, 5);
      b.capacity = {{v1::CHANNEL_VOICE, chance(0.7) ? 1 : 0},
                    {v1::CHANNEL_CHAT, uniform(0, 4)},
                    {v1::CHANNEL_EMAIL, uniform(0, 5)}};
      if (specialist) {
        b.skills[kRareSkill] = uniform(2, 5);
        b.capacity[v1::CHANNEL_CHAT] = 1;
        b.capacity[v1::CHANNEL_EMAIL] = 1;
      }
      if (b.capacity[v1::CHANNEL_CHAT] + b.capacity[v1::CHANNEL_EMAIL] == 0) {
        b.capacity[v1::CHANNEL_CHAT] = 1;
      }
      if (!specialist && chance(0.2)) {
        // Capacities from a profile of the tenant config instead of the agent's own.
        const auto& [name, caps] = Profiles()[uniform(0, 1)];
        b.capacity_profile = name;
        b.capacity = caps;
        ++profiled;
      }
      if (chance(0.35)) {
        b.reject_probability = uniform(5, 30) / 100.0;
        ++decliners;
      }
      if (chance(0.25)) {
        // One in four of these misses often enough to be set away now and then.
        b.miss_probability = chance(0.25) ? uniform(40, 70) / 100.0 : uniform(5, 25) / 100.0;
        ++missers;
      }
      if (chance(0.35)) {
        b.break_every_ms = uniform(2000, 6000);
        b.break_ms_min = 100;
        b.break_ms_max = uniform(200, 800);
        ++breakers;
      }
      if (chance(0.25)) {
        b.skill_change_every_ms = uniform(2000, 5000);
        b.skill_sets = {b.skills, random_skills(2, 4, 1, 5), random_skills(2, 4, 1, 5)};
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

  // The idle check samples the shared Redis from now until all work has ended.
  IdleSampler sampler(cluster.redis(), P, kIdleLimitMs, StepsJson(queues));
  sampler.Start();

  // 20,000 interactions through both intake replicas, to random queues and channels with
  // random priorities; ~5 % are canceled 0..1.5 s after their submit was acknowledged.
  Canceler canceler({apis[0].get(), apis[1].get()}, keys["integrator"]);
  std::mutex acked_mu;
  std::set<std::string> acked;
  int64_t cancel_planned = 0;
  std::atomic<bool> stop{false};
  std::vector<std::vector<sim::Submitted>> submitted(2);
  std::vector<std::pair<std::string, std::vector<v1::Channel>>> targets;
  // Queues get 1..4 shares of the traffic; the rare-skill queues 10 each (~15 % each, ~38/s,
  // about what their 20 slow agents' one or two slots on the channel can take, or more).
  for (int i = 0; i < kQueues; ++i) {
    for (int w = i < kRareQueues ? 10 : uniform(1, 4); w > 0; --w) {
      targets.push_back({queues[i].name, queues[i].channels});
    }
  }
  std::vector<std::thread> traffic;
  auto submit_started = Clock::now();
  for (int t = 0; t < 2; ++t) {
    sim::TrafficOptions o;
    o.total = kInteractions / 2;
    o.rate_per_second = kSubmitPerSecond / 2;
    o.batch = 20;
    o.key_prefix = absl::StrCat("rand-", seed, "-", t);
    o.seed = seed + 17 * (t + 1);
    o.queues = targets;
    o.random_priority = true;
    auto cancel_rng = std::make_shared<std::mt19937_64>(seed + 101 * (t + 1));
    o.on_submitted = [&, cancel_rng](const sim::Submitted& s) {
      {
        std::lock_guard<std::mutex> lock(acked_mu);
        acked.insert(s.interaction_id);
        if (std::uniform_real_distribution<double>(0, 1)(*cancel_rng) >= kCancelShare) return;
        ++cancel_planned;
      }
      int delay = std::uniform_int_distribution<int>(0, 1500)(*cancel_rng);
      canceler.Add(s.interaction_id, Clock::now() + std::chrono::milliseconds(delay));
    };
    traffic.emplace_back(
        [&, t, o] { submitted[t] = sim::RunTraffic(*apis[t], keys["integrator"], o, stop); });
  }
  for (auto& t : traffic) t.join();
  double submit_s = e2e::SecondsSince(submit_started);
  size_t n_submitted = submitted[0].size() + submitted[1].size();
  EXPECT_EQ(n_submitted, static_cast<size_t>(kInteractions)) << "some submissions failed";
  EXPECT_EQ(acked.size(), n_submitted) << "two keys yielded the same id";
  ASSERT_GT(acked.size(), 0u);

  // Wait (bounded) until every acknowledged interaction reached a terminal state, following
  // the feed as it grows.
  auto redis = cluster.redis().Connect();
  std::vector<e2e::FeedEvent> feed;
  std::map<std::string, std::vector<std::string>> terminal;  // id -> terminal event types
  auto follow_feed = [&] {
    auto more = e2e::ReadFeedFromRedis(*redis, tenant, feed.empty() ? "" : feed.back().id);
    for (auto& e : more) {
      if (IsTerminal(e.type)) terminal[e.ix].push_back(e.type);
      feed.push_back(std::move(e));
    }
  };
  auto ended = [&] {
    size_t n = 0;
    for (const auto& id : acked) n += terminal.count(id);
    return n;
  };
  bool all_ended = e2e::WaitFor(
      [&] {
        follow_feed();
        return ended() >= acked.size();
      },
      std::chrono::seconds(150), std::chrono::milliseconds(500));
  double drain_s = e2e::SecondsSince(submit_started);
  EXPECT_TRUE(all_ended) << "only " << ended() << " of " << acked.size() << " ended";
  canceler.Finish();
  sampler.Stop();
  auto idle = sampler.Report();

  // Agents: all settle (available again, no more misbehaving); none holds capacity now.
  size_t feed_before_settle = feed.size();
  sim::AgentStats stats;
  std::map<std::string, sim::AgentStats> agent_stats;
  for (auto& a : agents) {
    EXPECT_TRUE(a->Settle()) << a->id();
    auto s = a->Stats();
    agent_stats[a->id()] = s;
    stats.offers += s.offers;
    stats.accepted += s.accepted;
    stats.rejected += s.rejected;
    stats.missed += s.missed;
    stats.comebacks += s.comebacks;
    stats.breaks += s.breaks;
    stats.skill_changes += s.skill_changes;
    stats.state_failed += s.state_failed;
    stats.completed += s.completed;
    stats.accept_failed += s.accept_failed;
  }
  EXPECT_EQ(stats.state_failed, 0) << "SetAgentState calls failed";
  int busy_at_end = 0;
  for (const auto& [agent, caps] : capacity) {
    auto kv = Cmd(*redis, {"HGETALL", P + ":ag:" + agent});
    for (size_t i = 0; i + 1 < kv.elements.size(); i += 2) {
      const auto& field = kv.elements[i].str;
      const auto& value = kv.elements[i + 1].str;
      if ((field.rfind("load:", 0) == 0 && value != "0") ||
          (field == "state" && value != "available")) {
        if (++busy_at_end <= 5) ADD_FAILURE() << agent << " " << field << "=" << value;
      }
    }
  }
  EXPECT_EQ(busy_at_end, 0);
  for (auto& a : agents) a->Stop();
  follow_feed();

  // (a) one owner and (b) capacity, replayed from the feed.
  auto replay = e2e::ReplayFeed(feed, capacity, exclusive);
  int capacity_violations = 0, owner_violations = 0;
  for (const auto& v : replay.violations) {
    ADD_FAILURE() << "invariant violated: " << v;
    bool cap = v.find("capacity") != std::string::npos ||
               v.find("below zero") != std::string::npos ||
               v.find("exclusive") != std::string::npos;
    cap ? ++capacity_violations : ++owner_violations;
  }
  for (const auto& [agent, by_ch] : replay.load) {
    for (const auto& [ch, l] : by_ch) EXPECT_EQ(l, 0) << agent << " channel " << ch;
  }

  // (c) exactly one terminal state per acknowledged interaction, the same in the feed and
  // through GetInteraction; none for unknown ids; nothing lost.
  int no_end = 0, many_ends = 0, unknown = 0, mismatched = 0;
  std::map<std::string, int64_t> ends;
  for (const auto& id : acked) {
    auto it = terminal.find(id);
    if (it == terminal.end()) {
      if (++no_end <= 5) ADD_FAILURE() << id << " never ended";
    } else {
      ++ends[it->second.front()];
      if (it->second.size() > 1 && ++many_ends <= 5) {
        ADD_FAILURE() << id << " ended " << it->second.size() << " times";
      }
    }
  }
  for (const auto& [id, types] : terminal) unknown += acked.count(id) ? 0 : 1;
  EXPECT_EQ(no_end, 0);
  EXPECT_EQ(many_ends, 0);
  EXPECT_EQ(unknown, 0);
  EXPECT_EQ(replay.submitted.size(), acked.size());
  {
    std::vector<std::string> ids(acked.begin(), acked.end());
    std::vector<std::thread> readers;
    std::mutex mu;
    for (int t = 0; t < 4; ++t) {
      readers.emplace_back([&, t] {
        for (size_t i = t; i < ids.size(); i += 4) {
          v1::GetInteractionRequest g;
          g.set_interaction_id(ids[i]);
          v1::GetInteractionResponse gr;
          auto st = apis[t % 2]->intake().GetInteraction(
              sim::ApiClient::Context(keys["integrator"]).get(), g, &gr);
          auto it = terminal.find(ids[i]);
          bool ok = st.ok() && it != terminal.end() &&
                    gr.interaction().state() == TerminalState(it->second.front());
          if (!ok) {
            std::lock_guard<std::mutex> lock(mu);
            if (++mismatched <= 5) {
              ADD_FAILURE() << ids[i] << " GetInteraction status " << st.error_code() << " state "
                            << v1::InteractionState_Name(gr.interaction().state()) << ", feed "
                            << (it == terminal.end() ? "none" : it->second.front());
            }
          }
        }
      });
    }
    for (auto& r : readers) r.join();
  }
  EXPECT_EQ(mismatched, 0);

  // Nothing left behind: no waiting work or its indexes, no offer timers, no overdue max-wait
  // timers, no skip sets, no reservations, no pending or unprocessed stream entries, no work
  // counted in flight, and (all agents logged out) no eligible-agent index entries.
  std::vector<std::string> leftovers;
  auto keys_left = [&](const std::string& pattern) {
    auto r = Cmd(*redis, {"KEYS", P + pattern});
    if (!r.elements.empty()) {
      leftovers.push_back(
          absl::StrCat(r.elements.size(), " keys ", pattern, " (e.g. ", r.elements[0].str, ")"));
    }
  };
  for (const char* pattern : {":q:*", ":qt:*", ":qsig:*", ":qa:*", ":skip:*", ":pref:*"}) {
    keys_left(pattern);
  }
  {
    // Whose skip sets are left, for the report.
    std::map<std::string, int> by_end;
    for (const auto& k : Cmd(*redis, {"KEYS", P + ":skip:*"}).elements) {
      std::string id = k.str.substr(k.str.rfind(':') + 1);
      auto f = Cmd(*redis, {"HMGET", P + ":ix:" + id, "state", "end_reason"});
      if (f.elements.size() == 2) ++by_end[f.elements[0].str + "/" + f.elements[1].str];
    }
    for (const auto& [end, n] : by_end) {
      leftovers.push_back(absl::StrCat(n, " skip sets of interactions ended ", end));
    }
  }
  auto count_left = [&](const std::string& what, int64_t n) {
    if (n != 0) leftovers.push_back(absl::StrCat(what, "=", n));
  };
  count_left("timers", CmdInt(*redis, {"ZCARD", P + ":timers"}));
  count_left("preft", CmdInt(*redis, {"ZCARD", P + ":preft"}));
  count_left("step timers", CmdInt(*redis, {"ZCARD", P + ":steps"}));
  count_left("overdue maxwait",
             CmdInt(*redis, {"ZCOUNT", P + ":maxwait", "-inf", std::to_string(WallMs() - 1000)}));
  count_left("intake pending", e2e::PendingCount(*redis, P + ":s:intake", "classification"));
  count_left("classified pending", e2e::PendingCount(*redis, P + ":s:classified", "routing"));
  count_left("intake xlen", CmdInt(*redis, {"XLEN", P + ":s:intake"}));
  count_left("classified xlen", CmdInt(*redis, {"XLEN", P + ":s:classified"}));
  int64_t answered = 0;
  for (const auto& q : queues) {
    count_left(q.name + " inflight", CmdInt(*redis, {"HGET", P + ":qs:" + q.name, "inflight"}));
    answered += CmdInt(*redis, {"HGET", P + ":qs:" + q.name, "answered"});
  }
  for (const auto& l : leftovers) ADD_FAILURE() << "left in Redis: " << l;
  EXPECT_EQ(answered, replay.by_type["accepted"]);

  // (d) no eligible agent left idle beside waiting work for more than 100 ms. Each violation
  // is told with the routing view at the time and the feed events of its agent and item.
  for (const auto& v : idle.details) {
    std::vector<std::string> story;
    for (const auto& e : feed) {
      int64_t ms = 0;
      (void)absl::SimpleAtoi(e.id.substr(0, e.id.find('-')), &ms);
      if (ms < v.first_wall_ms - 4000 || ms > v.last_wall_ms + 1500) continue;
      if (e.agent != v.agent && e.ix != v.id) continue;
      story.push_back(absl::StrCat(ms - v.first_wall_ms, "ms ", e.type, " ix=", e.ix.substr(0, 8),
                                   " agent=", e.agent, " q=", e.queue, " ch=", e.channel));
    }
    ADD_FAILURE() << "idle: agent " << v.agent << " beside " << v.id << " seen from "
                  << v.first_wall_ms << " to " << v.last_wall_ms
                  << " ms; routing view: " << v.routing_view
                  << "\n  events (ms from first seen): " << absl::StrJoin(story, "\n    ");
  }
  EXPECT_EQ(idle.failed, 0);
  EXPECT_EQ(idle.stale, 0) << "waiting sets held items not in state 'queued'";
  EXPECT_EQ(idle.violations, 0) << absl::StrJoin(idle.examples, "\n");
  EXPECT_GT(idle.samples, 100);
  EXPECT_GT(idle.busy_samples, 0) << "no sample saw work waiting";

  // The run exercised what it claims to; every agent set away for missed offers came back by
  // itself (before the agents settled; one set away in the last 5 s may still be on its way: a
  // loaded agent sees its offer stream late).
  int64_t away_missed = 0, came_back = 0, stayed_away = 0, extra_skill_items = 0;
  int64_t lapsed_late = 0;  // offers that lapsed on agents that never miss on purpose
  std::map<std::string, int64_t> canceled_from;
  {
    auto event_ms = [](const e2e::FeedEvent& e) {
      int64_t ms = 0;
      (void)absl::SimpleAtoi(e.id.substr(0, e.id.find('-')), &ms);
      return ms;
    };
    std::map<std::string, int64_t> away_since;  // agent -> set away for missed offers at
    for (size_t i = 0; i < feed_before_settle; ++i) {
      const auto& e = feed[i];
      auto detail = [&](const std::string& k) {
        auto it = e.detail.find(k);
        return it == e.detail.end() ? std::string() : it->second;
      };
      if (e.type == "classified" && !detail("rule").empty()) ++extra_skill_items;
      if (e.type == "offer_timeout" && !miss_on_purpose.count(e.agent)) ++lapsed_late;
      if (e.type == "canceled") ++canceled_from[detail("from")];
      if (e.type != "agent_state") continue;
      if (detail("reason") == "missed_offers") {
        ++away_missed;
        away_since[e.agent] = event_ms(e);
      } else if (detail("state") == "available" && away_since.erase(e.agent) > 0) {
        ++came_back;
      }
    }
    int64_t settle_ms = feed_before_settle > 0 ? event_ms(feed[feed_before_settle - 1]) : 0;
    for (const auto& [agent, since] : away_since) {
      if (since < settle_ms - 5000 && ++stayed_away <= 5) {
        // What the agent saw and did, and its last events, for the report.
        const auto& st = agent_stats[agent];
        std::string story = absl::StrCat("offers=", st.offers, " rescinded=", st.rescinded,
                                         " accepted=", st.accepted, " failed=", st.accept_failed,
                                         " ignored=", st.ignored, " comebacks=", st.comebacks);
        std::vector<std::string> last;
        for (size_t i = 0; i < feed_before_settle; ++i) {
          if (feed[i].agent != agent) continue;
          last.push_back(absl::StrCat(event_ms(feed[i]) - since, "ms ", feed[i].type, " ",
                                      feed[i].ix.substr(0, 8)));
          if (last.size() > 14) last.erase(last.begin());
        }
        ADD_FAILURE() << agent << " set away for missed offers at " << since
                      << " ms never came back; " << story
                      << "; its last events (relative): " << absl::StrJoin(last, ", ");
      }
    }
  }
  EXPECT_GT(replay.by_type["offer_timeout"], 0);
  EXPECT_GT(replay.by_type["rejected"], 0);
  EXPECT_GT(ends["canceled"], 0);
  EXPECT_GT(away_missed, 0) << "no agent was set away for missed offers";
  EXPECT_EQ(stayed_away, 0);
  EXPECT_GT(stats.breaks, 0);
  EXPECT_GT(stats.skill_changes, 0);
  EXPECT_GT(extra_skill_items, 0);
  int step_queues = 0;
  for (const auto& q : queues) step_queues += q.steps.empty() ? 0 : 1;
  EXPECT_GT(step_queues, 0);
  EXPECT_GT(replay.by_type["step_opened"], 0) << "no bullseye step ever opened";
  EXPECT_GT(profiled, 0);

  auto n = [](int64_t v) { return static_cast<long long>(v); };
  std::string line = absl::StrFormat(
      "randomized: seed=%llu queues=%d (bullseye steps %d) agents=%d (decline %d, miss %d, "
      "breaks %d, skill changes %d, capacity profile %d) interactions=%zu ended "
      "completed/canceled/rejected=%lld/%lld/%lld steps_opened=%lld",
      static_cast<unsigned long long>(seed), kQueues, step_queues, kAgents, decliners, missers,
      breakers, changers, profiled, acked.size(), n(ends["completed"]), n(ends["canceled"]),
      n(ends["rejected_by_policy"]), n(replay.by_type["step_opened"]));
  absl::StrAppendFormat(
      &line,
      " | events=%zu offered=%lld accepted=%lld declined=%lld offer_timeout=%lld (late answers "
      "%lld) away_for_missed=%lld came_back=%lld breaks=%lld skill_changes=%lld "
      "extra_skill_items=%lld cancels planned=%lld canceled queued/offered/other=%lld/%lld/%lld "
      "too_late ended/assigned=%lld/%lld",
      feed.size(), n(replay.by_type["offered"]), n(replay.by_type["accepted"]),
      n(replay.by_type["rejected"]), n(replay.by_type["offer_timeout"]), n(lapsed_late),
      n(away_missed), n(came_back), n(stats.breaks), n(stats.skill_changes), n(extra_skill_items),
      n(cancel_planned), n(canceled_from["queued"]), n(canceled_from["offered"]),
      n(ends["canceled"] - canceled_from["queued"] - canceled_from["offered"]),
      n(canceler.terminal), n(canceler.assigned));
  absl::StrAppendFormat(&line,
                        " | (a) owner_violations=%d (b) capacity_violations=%d (c) not_ended=%d "
                        "ended_twice=%d get_mismatch=%d leftovers=%zu",
                        owner_violations, capacity_violations, no_end, many_ends, mismatched,
                        leftovers.size());
  absl::StrAppendFormat(
      &line,
      " | (d) idle: samples=%lld (with work waiting %lld) sample_ms avg/max=%.2f/%.1f (in Redis "
      "%.2f/%.1f) "
      "max_gap_ms=%.0f episodes=%lld max_idle_ms=%.0f violations=%lld max_waiting=%lld "
      "max_free_agents=%lld",
      n(idle.samples), n(idle.busy_samples), idle.sample_ms_avg(), idle.sample_ms_max,
      idle.exec_ms_avg(), idle.exec_ms_max, idle.max_gap_ms, n(idle.episodes), idle.max_idle_ms,
      n(idle.violations), n(idle.max_waiting), n(idle.max_free_agents));
  absl::StrAppendFormat(&line, " | submit=%.1fs drained=%.1fs total=%.1fs", submit_s, drain_s,
                        e2e::SecondsSince(started));
  std::printf("%s\n", line.c_str());
  if (!idle.longest.empty())
    std::printf("randomized: longest idle episode: %s\n", idle.longest.c_str());
  std::fflush(stdout);
  EXPECT_EQ(canceler.errors, 0) << canceler.first_error;
}

}  // namespace
}  // namespace omniroute
