#include "load-tests/decision_world.h"

#include <chrono>
#include <exception>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/redis/scripts.h"
#include "services/common/tenant_config.h"

namespace omniroute::bench::decision {
namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The value of `name:` in an INFO section, or "" when absent.
std::string InfoField(const std::string& info, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(info, "\r\n")) {
    if (absl::ConsumePrefix(&line, name) && absl::ConsumePrefix(&line, ":")) {
      return std::string(line);
    }
  }
  return "";
}

}  // namespace

World::World(const Size& size) : size_(size) {}

World::~World() {
  engine_.reset();
  conn_.reset();
  pool_.reset();
  redis_.reset();  // kills redis-server and removes its directory
}

absl::StatusOr<std::unique_ptr<World>> World::Create(const Size& size,
                                                     const std::atomic<bool>& interrupted) {
  std::unique_ptr<World> w(new World(size));
  try {
    w->redis_ = std::make_unique<testing::RedisServer>();
    w->conn_ = w->redis_->Connect();
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("redis-server: ", e.what()));
  }
  w->conn_->SetTimeout(std::chrono::milliseconds(60000));
  w->pool_ =
      std::make_unique<redis::Pool>(w->redis_->endpoint(), 2, std::chrono::milliseconds(60000));
  w->engine_ = std::make_unique<routing::RoutingEngine>(w->pool_.get(), &redis::Scripts::Embedded(),
                                                        &w->clock_, routing::RoutingOptions{});
  if (auto st = w->Build(interrupted); !st.ok()) return st;
  return w;
}

absl::StatusOr<redis::Reply> World::Cmd(const std::vector<std::string>& argv) {
  auto r = conn_->Command(argv);
  if (!r.ok()) return r.status();
  if (r->is_error()) return absl::InternalError(absl::StrCat(argv[0], ": ", r->str));
  return r;
}

absl::StatusOr<std::vector<redis::Reply>> World::Pipeline(
    const std::vector<std::vector<std::string>>& cmds) {
  auto replies = conn_->Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < replies->size(); ++i) {
    if ((*replies)[i].is_error()) {
      return absl::InternalError(absl::StrCat(cmds[i][0], ": ", (*replies)[i].str));
    }
  }
  return replies;
}

std::map<std::string, std::string> World::FlatToMap(const redis::Reply& r) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    out[r.elements[i].str] = r.elements[i + 1].str;
  }
  return out;
}

absl::Status World::Build(const std::atomic<bool>& interrupted) {
  auto info = Cmd({"INFO", "server"});
  if (!info.ok()) return info.status();
  version_ = InfoField(info->str, "redis_version");

  // The queue exists before any agent (put_queue.lua is O(agents of the tenant)).
  v1::Queue q;
  q.set_name(kQueue);
  q.add_channels(v1::CHANNEL_CHAT);
  q = QueueWithDefaults(q);
  if (auto st = ValidateQueue(q); !st.ok()) return st;
  if (auto r = engine_->PutQueue(kTenant, q); !r.ok()) return r.status();
  // The consumer group enqueue.lua acknowledges in.
  if (auto r = Cmd({"XGROUP", "CREATE", keys_.ClassifiedStream(), kRoutingGroup, "$", "MKSTREAM"});
      !r.ok()) {
    return r.status();
  }

  auto t0 = std::chrono::steady_clock::now();
  if (auto st = LoginAgentsAway(); !st.ok()) return st;
  setup_.agents_seconds = Since(t0);

  if (auto st = VerifyPopulate(); !st.ok()) return st;

  // The probe and its twin are two of the queued items; busy agents take one each.
  int64_t bulk = size_.queued + static_cast<int64_t>(busy_.size()) - 2;
  t0 = std::chrono::steady_clock::now();
  if (auto st = Fill(bulk, interrupted); !st.ok()) return st;
  setup_.fill_seconds = Since(t0);
  if (auto st = MeasureHashSizes(); !st.ok()) return st;

  t0 = std::chrono::steady_clock::now();
  if (auto st = LoginBusyAgents(interrupted); !st.ok()) return st;
  setup_.busy_seconds = Since(t0);
  return CheckSteadyState();
}

absl::StatusOr<std::string> World::LastOffer(const std::string& agent) {
  auto r = Cmd({"XREVRANGE", keys_.AgentOffers(agent), "+", "-", "COUNT", "1"});
  if (!r.ok()) return r.status();
  if (r->elements.empty()) return absl::InternalError(absl::StrCat(agent, " has no offer"));
  std::map<std::string, std::string> f = FlatToMap(r->elements[0].elements[1]);
  if (f["kind"] != "offer") {
    return absl::InternalError(absl::StrCat(agent, ": newest offer-stream entry is ", f["kind"]));
  }
  return f["ix"];
}

absl::StatusOr<int64_t> World::Card(const std::string& key) {
  auto r = Cmd({"ZCARD", key});
  if (!r.ok()) return r.status();
  return r->integer;
}

absl::Status World::FreeAgentWithoutOffer(const std::string& agent) {
  std::string hidden = keys_.prefix() + ":bench:hidden";
  if (auto r = Cmd({"RENAME", WaitingKey(), hidden}); !r.ok()) return r.status();
  auto set = engine_->SetAgentState(kTenant, {agent, "available", {}, {}});
  auto back = Cmd({"RENAME", hidden, WaitingKey()});
  if (!set.ok()) return set.status();
  if (!back.ok()) return back.status();
  auto r =
      Pipeline({{"ZSCORE", keys_.Available(kQueue, kChannel), agent}, {"ZCARD", keys_.Timers()}});
  if (!r.ok()) return r.status();
  if ((*r)[0].is_nil() || (*r)[1].integer != 0) {
    return absl::InternalError(absl::StrCat(agent, " is not free without an offer"));
  }
  return absl::OkStatus();
}

absl::Status World::CheckSteadyState() {
  auto r = Pipeline({{"ZCARD", WaitingKey()}, {"ZCARD", AgeKey()}, {"ZCARD", keys_.Timers()}});
  if (!r.ok()) return r.status();
  if ((*r)[0].integer != size_.queued || (*r)[1].integer != size_.queued || (*r)[2].integer != 0) {
    return absl::InternalError(
        absl::StrCat("scenario ", size_.name, ": ", (*r)[0].integer, " waiting (routing order), ",
                     (*r)[1].integer, " (age order), ", (*r)[2].integer, " open offers; expected ",
                     size_.queued, ", ", size_.queued, ", 0"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::pair<int64_t, int64_t>>> World::CommandStats() {
  auto r = Cmd({"INFO", "commandstats"});
  if (!r.ok()) return r.status();
  std::map<std::string, std::pair<int64_t, int64_t>> out;
  // cmdstat_fcall:calls=N,usec=U,usec_per_call=...,rejected_calls=0,failed_calls=0
  for (absl::string_view line : absl::StrSplit(r->str, "\r\n")) {
    if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    auto& [calls, usec] = out[std::string(line.substr(0, colon))];
    for (absl::string_view kv : absl::StrSplit(line.substr(colon + 1), ',')) {
      if (absl::ConsumePrefix(&kv, "calls=")) (void)absl::SimpleAtoi(kv, &calls);
      if (absl::ConsumePrefix(&kv, "usec=")) (void)absl::SimpleAtoi(kv, &usec);
    }
  }
  return out;
}

absl::StatusOr<std::pair<int64_t, int64_t>> World::ClassifiedStreamUsage() {
  auto r = Pipeline({{"XLEN", keys_.ClassifiedStream()},
                     {"MEMORY", "USAGE", keys_.ClassifiedStream(), "SAMPLES", "0"}});
  if (!r.ok()) return r.status();
  return std::make_pair((*r)[0].integer, (*r)[1].integer);
}

int64_t World::UsedMemory() {
  auto r = Cmd({"INFO", "memory"});
  int64_t v = 0;
  if (r.ok()) (void)absl::SimpleAtoi(InfoField(r->str, "used_memory"), &v);
  return v;
}

}  // namespace omniroute::bench::decision
