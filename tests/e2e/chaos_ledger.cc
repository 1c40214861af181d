#include "tests/e2e/chaos_ledger.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/common/grpc/process_metrics.h"
#include "tests/e2e/e2e_feed.h"
#include "tests/e2e/e2e_redis.h"

namespace omniroute::e2e {

namespace {

// A call may end a little after its deadline (the client notices, the thread wakes up).
constexpr int64_t kDeadlineSlackMs = 500;
constexpr size_t kMaxDetails = 10;

void AddDetail(std::vector<std::string>* details, std::string d) {
  if (details->size() < kMaxDetails) details->push_back(std::move(d));
}

std::string Field(redis::Connection& c, const std::string& key, const std::string& field) {
  return Cmd(c, {"HGET", key, field}).str;
}

}  // namespace

bool RetryableChaosCode(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

bool CancelledByServerShutdown(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::CANCELLED &&
         status.error_message() == "CANCELLED";
}

std::string LedgerReport::Line(const std::string& name) const {
  std::string s = absl::StrCat("chaos[", name, "]: acked ", acked, " completed ", completed,
                               " lost ", lost, " duplicated ", duplicated, " stuck ", stuck,
                               " gave-up ", gave_up, " lapsed-offers ", lapsed,
                               " stored-by-a-failed-attempt ", stored_earlier, " failed-calls");
  if (failed_by_code.empty()) s += " none";
  for (const auto& [code, n] : failed_by_code) absl::StrAppend(&s, " ", code, "=", n);
  if (!unexpected.empty()) absl::StrAppend(&s, " unexpected ", unexpected.size());
  return s;
}

void Ledger::Acked(const std::string& key, const std::string& id, bool stored_earlier) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stored_earlier) ++stored_earlier_;
  ids_by_key_[key].insert(id);
  key_by_id_.emplace(id, key);
}

void Ledger::GaveUp(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  gave_up_.insert(key);
}

void Ledger::Completed(const std::string& agent, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  completions_[id].push_back(agent);
}

void Ledger::Lapsed() {
  std::lock_guard<std::mutex> lock(mu_);
  ++lapsed_;
}

void Ledger::Failed(const std::string& what, const grpc::Status& status, int64_t elapsed_ms,
                    int64_t deadline_ms) {
  std::string code = GrpcCodeName(status.error_code());
  std::lock_guard<std::mutex> lock(mu_);
  ++failed_by_code_[code];
  if (!RetryableChaosCode(status.error_code()) && !CancelledByServerShutdown(status)) {
    unexpected_.push_back(
        absl::StrCat(what, " ", code, ": ", status.error_message(), " (at ",
                     absl::FormatTime("%H:%M:%E3S", absl::Now(), absl::UTCTimeZone()), " UTC)"));
  } else if (deadline_ms > 0 && elapsed_ms > deadline_ms + kDeadlineSlackMs) {
    unexpected_.push_back(absl::StrCat(what, " ", code, " after ", elapsed_ms,
                                       " ms, past its deadline of ", deadline_ms, " ms"));
  }
}

bool Ledger::AllCompleted() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, key] : key_by_id_) {
    if (!completions_.count(id)) return false;
  }
  return true;
}

int64_t Ledger::AckedCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(key_by_id_.size());
}

LedgerReport Ledger::Audit(redis::Connection& redis, const std::string& tenant) const {
  std::lock_guard<std::mutex> lock(mu_);
  LedgerReport r;
  const std::string P = Prefix(tenant);
  r.acked = static_cast<int64_t>(key_by_id_.size());
  r.lapsed = lapsed_;
  r.stored_earlier = stored_earlier_;
  r.failed_by_code = failed_by_code_;
  r.unexpected = unexpected_;
  for (const auto& key : gave_up_) r.gave_up += ids_by_key_.count(key) ? 0 : 1;

  // Lost: acknowledged, never completed (with the state Redis holds for it).
  for (const auto& [id, key] : key_by_id_) {
    auto it = completions_.find(id);
    if (it == completions_.end()) {
      ++r.lost;
      AddDetail(&r.details, absl::StrCat("lost ", id, " (key ", key, ") state '",
                                         Field(redis, P + ":ix:" + id, "state"), "' agent '",
                                         Field(redis, P + ":ix:" + id, "agent"), "'"));
      continue;
    }
    ++r.completed;
    if (it->second.size() > 1) {
      ++r.duplicated;
      AddDetail(&r.details, absl::StrCat("duplicated ", id, ": completed ", it->second.size(),
                                         " times (", it->second[0], ", ", it->second[1], ")"));
    }
  }
  for (const auto& [key, ids] : ids_by_key_) {
    if (ids.size() > 1) {
      ++r.duplicated;
      AddDetail(&r.details,
                absl::StrCat("duplicated key ", key, ": ", ids.size(), " interactions"));
    }
  }
  // The feed: one submitted and one completed event per acknowledged interaction, nothing
  // stored that no Submit was acknowledged for.
  std::map<std::string, int> submitted, completed;
  for (const auto& e : ReadFeedFromRedis(redis, tenant)) {
    if (e.type == "submitted") ++submitted[e.ix];
    if (e.type == "completed") ++completed[e.ix];
  }
  for (const auto& [id, n] : submitted) {
    bool known = key_by_id_.count(id) > 0;
    if (n > 1 || !known) {
      ++r.duplicated;
      AddDetail(&r.details, absl::StrCat("duplicated ", id, ": ", n, " submitted events",
                                         known ? "" : ", stored without an acknowledgement"));
    }
  }
  for (const auto& [id, n] : completed) {
    if (n > 1) {
      ++r.duplicated;
      AddDetail(&r.details, absl::StrCat("duplicated ", id, ": ", n, " completed events"));
    }
  }
  // Stuck: interactions not terminal, agents holding load with no work left.
  for (const auto& k : Cmd(redis, {"KEYS", P + ":ix:*"}).elements) {
    std::string state = Field(redis, k.str, "state");
    if (state != "completed" && state != "canceled" && state != "expired") {
      ++r.stuck;
      AddDetail(&r.details, absl::StrCat("stuck ", k.str, " state '", state, "' agent '",
                                         Field(redis, k.str, "agent"), "'"));
    }
  }
  for (const auto& k : Cmd(redis, {"KEYS", P + ":ag:*"}).elements) {
    auto kv = Cmd(redis, {"HGETALL", k.str});
    for (size_t i = 0; i + 1 < kv.elements.size(); i += 2) {
      if (kv.elements[i].str.rfind("load:", 0) == 0 && kv.elements[i + 1].str != "0") {
        ++r.stuck;
        AddDetail(&r.details, absl::StrCat("stuck agent ", k.str, " ", kv.elements[i].str, "=",
                                           kv.elements[i + 1].str, " with no work"));
      }
    }
  }
  for (const auto& [stream, group] :
       {std::pair<std::string, std::string>{P + ":s:intake", "classification"},
        {P + ":s:classified", "routing"}}) {
    int64_t pending = PendingCount(redis, stream, group);
    if (pending > 0) AddDetail(&r.details, absl::StrCat(stream, ": ", pending, " pending"));
  }
  return r;
}

}  // namespace omniroute::e2e
