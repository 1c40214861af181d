// Populating a decision-bench World: the agents, the backlog in bulk (checked against the
// real enqueue path first) and the interactions added between measured decisions.
#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "load-tests/decision_world.h"

namespace omniroute::bench::decision {
namespace {

// Default head start of kBacklogPriority (lib.lua DEFAULT_HEAD_START; no tenant config is
// written). VerifyPopulate checks the populated score against enqueue.lua's.
constexpr int64_t kBacklogHeadStartMs = 30000;
// The bulk fill spreads the backlog's queued times over this window before the start time.
constexpr int64_t kBacklogSpanMs = 60000;

// Interaction ids have the production shape: 32 lowercase hex characters.
std::string IdOf(int64_t n) { return absl::StrFormat("%032x", n); }

}  // namespace

std::string World::NewId() { return IdOf(next_id_++); }

std::vector<std::string> World::HashCommand(const std::string& id, int64_t queued_ms) const {
  // The fields classification writes that routing reads, then those enqueue.lua adds, in the
  // order they are written (listpack order, hence MEMORY USAGE, matches the real path).
  return {"HSET",      keys_.Interaction(id),
          "state",     "queued",
          "queue",     kQueue,
          "channel",   std::to_string(kChannel),
          "priority",  std::to_string(kBacklogPriority),
          "skills",    "{}",
          "queued_ms", std::to_string(queued_ms),
          "score",     std::to_string(queued_ms - kBacklogHeadStartMs),
          "sig",       "0",
          "step",      "0",
          "boost",     "0"};
}

absl::Status World::LoginAgentsAway() {
  int rotating = std::min(size_.rotating, size_.agents);
  for (int i = 0; i < size_.agents; ++i) {
    std::string agent = absl::StrFormat("agent-%05d", i);
    routing::AgentUpdate u{agent, "away", {}, {{kChannel, 1}}};
    auto r = engine_->SetAgentState(kTenant, u);
    if (!r.ok()) return r.status();
    if (r->size() != 1 || (*r)[0] != kQueue) {
      return absl::InternalError(absl::StrCat(agent, " is not eligible for queue ", kQueue));
    }
    (i < rotating ? rotating_ : busy_).push_back(agent);
  }
  return absl::OkStatus();
}

absl::Status World::VerifyPopulate() {
  // One interaction through the real path: classified hash + classified stream entry, then
  // RoutingEngine::Enqueue (enqueue.lua). Every agent is AWAY, so it only queues.
  auto probe = AddClassified(kBacklogPriority);
  if (!probe.ok()) return probe.status();
  const std::string& p = probe->first;
  auto out = engine_->Enqueue({{kTenant, probe->second, p}});
  if (!out.ok()) return out.status();
  if (out->size() != 1 || (*out)[0].outcome != "queued") {
    return absl::InternalError(
        absl::StrCat("probe enqueue: ", out->empty() ? "no reply" : (*out)[0].outcome));
  }
  auto queued_ms = Cmd({"HGET", keys_.Interaction(p), "queued_ms"});
  if (!queued_ms.ok()) return queued_ms.status();
  int64_t qms = 0;
  if (!absl::SimpleAtoi(queued_ms->str, &qms)) return absl::InternalError("probe: no queued_ms");

  // Its twin, populated the way the bulk fill writes every item, at the same time.
  std::string t = NewId();
  std::vector<std::vector<std::string>> cmds = {
      HashCommand(t, qms),
      {"ZADD", WaitingKey(), std::to_string(qms - kBacklogHeadStartMs), t},
      {"ZADD", AgeKey(), std::to_string(qms), t}};
  if (auto r = Pipeline(cmds); !r.ok()) return r.status();

  auto both = Pipeline({{"HGETALL", keys_.Interaction(p)},
                        {"HGETALL", keys_.Interaction(t)},
                        {"ZSCORE", WaitingKey(), p},
                        {"ZSCORE", WaitingKey(), t},
                        {"ZSCORE", AgeKey(), p},
                        {"ZSCORE", AgeKey(), t},
                        {"MEMORY", "USAGE", keys_.Interaction(p), "SAMPLES", "0"},
                        {"MEMORY", "USAGE", keys_.Interaction(t), "SAMPLES", "0"},
                        {"OBJECT", "ENCODING", keys_.Interaction(p)},
                        {"OBJECT", "ENCODING", keys_.Interaction(t)}});
  if (!both.ok()) return both.status();
  const auto& r = *both;
  auto hp = FlatToMap(r[0]), ht = FlatToMap(r[1]);
  if (hp != ht) {
    std::string diff;
    for (const auto& [k, v] : hp) absl::StrAppend(&diff, " enqueue ", k, "=", v);
    for (const auto& [k, v] : ht) absl::StrAppend(&diff, " populated ", k, "=", v);
    return absl::InternalError(absl::StrCat("populated hash differs from enqueue.lua's:", diff));
  }
  if (r[2].is_nil() || r[2].str != r[3].str || r[4].is_nil() || r[4].str != r[5].str) {
    return absl::InternalError(absl::StrCat("populated scores differ: q ", r[2].str, " vs ",
                                            r[3].str, ", qt ", r[4].str, " vs ", r[5].str));
  }
  if (r[8].str != r[9].str) {
    return absl::InternalError(absl::StrCat("encodings differ: ", r[8].str, " vs ", r[9].str));
  }
  // No other key names either interaction (the tenant holds only agents and the queue yet).
  std::set<std::string> kp, kt;
  for (const auto& [id, into] :
       std::vector<std::pair<std::string, std::set<std::string>*>>{{p, &kp}, {t, &kt}}) {
    std::string cursor = "0";
    do {
      auto s = Cmd({"SCAN", cursor, "MATCH", absl::StrCat("*", id, "*"), "COUNT", "1000"});
      if (!s.ok()) return s.status();
      cursor = s->elements[0].str;
      for (const auto& k : s->elements[1].elements) {
        into->insert(absl::StrReplaceAll(k.str, {{id, "<id>"}}));
      }
    } while (cursor != "0");
  }
  if (kp != kt) return absl::InternalError("enqueue.lua and the fill create different keys");
  setup_.verify =
      absl::StrCat("populated == enqueue.lua: ", hp.size(), " hash fields, q/qt scores, ",
                   kp.size(), " key(s) per item, encoding ", r[8].str, ", MEMORY USAGE ",
                   r[6].integer, " vs ", r[7].integer, " B");
  return absl::OkStatus();
}

absl::Status World::Fill(int64_t count, const std::atomic<bool>& interrupted) {
  setup_.memory.items = count;
  setup_.memory.before = UsedMemory();
  const int64_t first = next_id_;
  next_id_ += count;
  const int64_t start = clock_.NowMs() - kBacklogSpanMs;
  auto queued_ms = [&](int64_t i) {
    return start + i * kBacklogSpanMs / std::max<int64_t>(count, 1);
  };
  const int64_t batch = std::max(1, size_.fill_batch);

  // Pass 1: the interaction hashes.
  std::vector<std::vector<std::string>> cmds;
  for (int64_t i = 0; i < count; i += batch) {
    if (interrupted.load()) return absl::CancelledError("interrupted");
    cmds.clear();
    for (int64_t j = i; j < std::min(count, i + batch); ++j) {
      cmds.push_back(HashCommand(IdOf(first + j), queued_ms(j)));
    }
    if (auto r = Pipeline(cmds); !r.ok()) return r.status();
  }
  setup_.memory.after_hashes = UsedMemory();

  // Pass 2: the waiting indexes (routing order and age order), `batch` members per ZADD.
  for (int64_t i = 0; i < count; i += batch * 16) {
    if (interrupted.load()) return absl::CancelledError("interrupted");
    cmds.clear();
    for (int64_t b = i; b < std::min(count, i + batch * 16); b += batch) {
      std::vector<std::string> w = {"ZADD", WaitingKey()}, a = {"ZADD", AgeKey()};
      for (int64_t j = b; j < std::min(count, b + batch); ++j) {
        std::string id = IdOf(first + j);
        w.push_back(std::to_string(queued_ms(j) - kBacklogHeadStartMs));
        w.push_back(id);
        a.push_back(std::to_string(queued_ms(j)));
        a.push_back(std::move(id));
      }
      cmds.push_back(std::move(w));
      cmds.push_back(std::move(a));
    }
    if (auto r = Pipeline(cmds); !r.ok()) return r.status();
  }
  setup_.memory.after_indexes = UsedMemory();
  return absl::OkStatus();
}

absl::Status World::MeasureHashSizes() {
  auto r = Cmd({"MEMORY", "USAGE", keys_.Interaction(IdOf(next_id_ - 1)), "SAMPLES", "0"});
  if (!r.ok()) return r.status();
  setup_.memory.populated_hash = r->integer;
  // A metadata-sized interaction: every field intake (submit.lua), classification
  // (classify.lua) and enqueue.lua write, with short realistic values and no body.
  std::string key = keys_.Interaction(IdOf(0));
  int64_t now = clock_.NowMs();
  std::vector<std::string> hset = {"HSET",
                                   key,
                                   "id",
                                   IdOf(0),
                                   "state",
                                   "queued",
                                   "created_ms",
                                   std::to_string(now - 900),
                                   "fp",
                                   "3f2a9c1e0b7d4a6f8e5c2b1a09d8e7f6",
                                   "idem",
                                   "",
                                   "channel",
                                   std::to_string(kChannel),
                                   "customer",
                                   "customer-0012345",
                                   "subject",
                                   "Order 4711: parcel arrived damaged",
                                   "body",
                                   "",
                                   "req_priority",
                                   "0",
                                   "req_queue",
                                   "",
                                   "pref",
                                   "",
                                   "category",
                                   "delivery",
                                   "priority",
                                   std::to_string(kBacklogPriority),
                                   "skills",
                                   "{}",
                                   "queue",
                                   kQueue,
                                   "rule",
                                   "damaged-parcel",
                                   "classified_ms",
                                   std::to_string(now - 400),
                                   "queued_ms",
                                   std::to_string(now),
                                   "score",
                                   std::to_string(now - kBacklogHeadStartMs),
                                   "sig",
                                   "0",
                                   "step",
                                   "0",
                                   "boost",
                                   "0"};
  auto m = Pipeline({hset, {"MEMORY", "USAGE", key, "SAMPLES", "0"}, {"DEL", key}});
  if (!m.ok()) return m.status();
  setup_.memory.metadata_hash = (*m)[1].integer;
  return absl::OkStatus();
}

absl::Status World::LoginBusyAgents(const std::atomic<bool>& interrupted) {
  for (const auto& agent : busy_) {
    if (interrupted.load()) return absl::CancelledError("interrupted");
    auto r = engine_->SetAgentState(kTenant, {agent, "available", {}, {}});
    if (!r.ok()) return r.status();
    auto id = LastOffer(agent);
    if (!id.ok()) return id.status();
    if (auto a = engine_->Accept(kTenant, agent, *id); !a.ok()) return a.status();
    holding_[agent] = *id;
  }
  return absl::OkStatus();
}

absl::Status World::AddQueued(int64_t count) {
  std::vector<std::vector<std::string>> cmds;
  int64_t now = clock_.NowMs();
  for (int64_t i = 0; i < count; ++i) {
    std::string id = NewId();
    cmds.push_back(HashCommand(id, now));
    cmds.push_back({"ZADD", WaitingKey(), std::to_string(now - kBacklogHeadStartMs), id});
    cmds.push_back({"ZADD", AgeKey(), std::to_string(now), id});
  }
  auto r = Pipeline(cmds);
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::StatusOr<std::pair<std::string, std::string>> World::AddClassified(int priority) {
  std::string id = NewId();
  auto r =
      Pipeline({{"HSET", keys_.Interaction(id), "state", "classified", "queue", kQueue, "channel",
                 std::to_string(kChannel), "priority", std::to_string(priority), "skills", "{}"},
                {"XADD", keys_.ClassifiedStream(), "*", "ix", id}});
  if (!r.ok()) return r.status();
  return std::make_pair(id, (*r)[1].str);
}

}  // namespace omniroute::bench::decision
