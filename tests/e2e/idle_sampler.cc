#include "tests/e2e/idle_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tests/e2e/e2e_util.h"

namespace omniroute::e2e {
namespace {

double SteadyMs() {
  return std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

IdleSampler::IdleSampler(const testing::RedisServer& redis, std::string prefix, int limit_ms,
                         std::string steps_json)
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

void IdleSampler::Loop() {
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

void IdleSampler::ReportGap(double gap) {
  std::lock_guard<std::mutex> lock(mu_);
  report_.max_gap_ms = std::max(report_.max_gap_ms, gap);
}

void IdleSampler::Sample(double start) {
  int64_t wall_ms = WallMs();
  auto r =
      conn_->Command({"EVALSHA", sha_, "0", prefix_, std::to_string(wall_ms),
                      std::to_string(kItemsPerList), steps_json_, std::to_string(kStepGraceMs)});
  double end = SteadyMs();
  std::lock_guard<std::mutex> lock(mu_);
  ++report_.samples;
  report_.sample_ms_total += end - start;
  report_.sample_ms_max = std::max(report_.sample_ms_max, end - start);
  if (!r.ok() || r->is_error() || r->elements.size() != 2 || r->elements[1].elements.size() != 5) {
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
        report_.examples.push_back(absl::StrCat("agent ", p.elements[0].str, " idle beside ",
                                                p.elements[1].str, " (epoch ", p.elements[2].str,
                                                ") for > ", static_cast<int64_t>(lasted),
                                                " ms, the item waiting ", ep.last_wait_ms, " ms"));
      }
      if (report_.details.size() < 5) {
        ep.detail = static_cast<int>(report_.details.size());
        report_.details.push_back({p.elements[0].str, p.elements[1].str, ep.first_wall_ms, wall_ms,
                                   RoutingView(p.elements[0].str, p.elements[1].str)});
      }
    }
    if (ep.detail >= 0) report_.details[ep.detail].last_wall_ms = wall_ms;
  }
  // An episode not seen in this sample has ended.
  for (auto it = open_.begin(); it != open_.end();) {
    it = seen.count(it->first) ? std::next(it) : open_.erase(it);
  }
}

std::string IdleSampler::RoutingView(const std::string& agent, const std::string& id) {
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

}  // namespace omniroute::e2e
