#include "services/common/redis/stream_consumer.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/keys.h"
#include "services/common/log/log.h"
#include "services/common/validation.h"

namespace omniroute::redis {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::Status StreamConsumer::RefreshTenants(Connection& conn) {
  auto reply = conn.Command({"SMEMBERS", kTenantsKey});
  if (!reply.ok()) return reply.status();
  for (const auto& tenant : ReplyStrings(*reply)) {
    if (!ValidateTenantId("tenant", tenant).ok()) continue;
    std::string stream = absl::StrCat(TenantKeys(tenant).prefix(), ":", options_.stream_suffix);
    if (stream_to_tenant_.count(stream)) continue;
    // From id 0: a group created after entries arrived still sees them all.
    auto r = conn.Command({"XGROUP", "CREATE", stream, options_.group, "0", "MKSTREAM"});
    absl::Status st = r.ok() ? absl::OkStatus() : r.status();
    if (r.ok() && r->is_error() && !absl::StrContains(r->str, "BUSYGROUP")) {
      st = ReplyError(*r, absl::StrCat("XGROUP CREATE ", stream));
    }
    if (!st.ok()) {
      // On a cluster, the other tenants go on while one node is away; it is tried again with the
      // next refresh.
      if (!conn.cluster()) return st;
      log::WarnEvery("consumer-group", 10, "stream consumer group not created yet",
                     {{"stream", stream}, {"error", st.ToString()}});
      continue;
    }
    stream_to_tenant_[stream] = tenant;
  }
  return absl::OkStatus();
}

std::vector<std::string> StreamConsumer::AddEntries(const std::string& tenant, const Reply& entries,
                                                    std::vector<StreamEntry>& out) {
  std::vector<std::string> gone;
  for (const auto& e : entries.elements) {
    if (e.elements.size() != 2) continue;
    if (e.elements[1].is_nil()) {  // read from the history after its entry was trimmed
      gone.push_back(e.elements[0].str);
      continue;
    }
    StreamEntry entry{tenant, e.elements[0].str, ""};
    const auto& fields = e.elements[1].elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "ix") entry.interaction_id = fields[i + 1].str;
    }
    out.push_back(std::move(entry));
  }
  return gone;
}

absl::StatusOr<int> StreamConsumer::Reclaim(Connection& conn) {
  int handled = 0;
  for (const auto& [stream, tenant] : stream_to_tenant_) {
    auto r = conn.Command({"XAUTOCLAIM", stream, options_.group, options_.consumer,
                           std::to_string(options_.reclaim_idle_ms), "0-0", "COUNT", "500"});
    if (!r.ok()) return r.status();
    if (auto st = ReplyError(*r, "XAUTOCLAIM"); !st.ok()) return st;
    if (r->elements.size() < 2) continue;
    std::vector<StreamEntry> entries;
    AddEntries(tenant, r->elements[1], entries);
    // Entries whose payload was trimmed away cannot be processed: acknowledge them.
    if (r->elements.size() >= 3) AckGone(conn, stream, ReplyStrings(r->elements[2]));
    if (!entries.empty()) {
      log::Info("reclaimed stream entries of a dead consumer",
                {{"stream", stream}, {"count", std::to_string(entries.size())}});
      if (auto s = handler_(entries); !s.ok()) return s;
      handled += static_cast<int>(entries.size());
    }
  }
  // The consumers left with nothing pending and long idle are gone: remove them, every stream's
  // in one round trip.
  std::vector<std::vector<std::string>> reap;
  for (const auto& [stream, tenant] : stream_to_tenant_) {
    reap.push_back(scripts_->Command(
        "common/reap_consumers", {stream},
        {options_.group, std::to_string(options_.reclaim_idle_ms), options_.consumer}));
  }
  if (reap.empty()) return handled;
  auto reaped = conn.Pipeline(reap);
  if (!reaped.ok()) return reaped.status();
  if (auto st = scripts_->FixNoScript(conn, reap, *reaped); !st.ok()) return st;
  int64_t removed = 0;
  for (const auto& r : *reaped) {
    if (auto st = ReplyError(r, "reap_consumers"); !st.ok()) return st;
    removed += r.integer;
  }
  if (removed > 0) {
    log::Info("removed consumers that are gone",
              {{"group", options_.group}, {"count", std::to_string(removed)}});
  }
  return handled;
}

void StreamConsumer::AckGone(Connection& conn, const std::string& stream,
                             const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  std::vector<std::string> cmd = {"XACK", stream, options_.group};
  cmd.insert(cmd.end(), ids.begin(), ids.end());
  (void)conn.Command(cmd);
}

absl::StatusOr<int> StreamConsumer::RecoverOwn(Connection& conn) {
  std::map<std::string, std::string> from;  // stream -> last id read
  for (const auto& [stream, tenant] : stream_to_tenant_) from[stream] = "0";
  int handled = 0;
  while (!from.empty()) {
    auto reply = ReadStreams(conn, from, /*block=*/false);
    if (!reply.ok()) return reply.status();
    if (auto st = ReplyError(*reply, "XREADGROUP (own pending entries)"); !st.ok()) return st;
    std::vector<StreamEntry> entries;
    std::map<std::string, std::string> next;
    for (const auto& s : reply->elements) {
      if (s.elements.size() != 2 || s.elements[1].elements.empty()) continue;
      auto it = stream_to_tenant_.find(s.elements[0].str);
      if (it == stream_to_tenant_.end()) continue;
      AckGone(conn, it->first, AddEntries(it->second, s.elements[1], entries));
      next[it->first] = s.elements[1].elements.back().elements[0].str;
    }
    if (!entries.empty()) {
      log::Info("took back own pending stream entries",
                {{"group", options_.group}, {"count", std::to_string(entries.size())}});
      if (auto st = handler_(entries); !st.ok()) return st;
      handled += static_cast<int>(entries.size());
    }
    from = std::move(next);  // one pass: each stream read on past what it returned
  }
  return handled;
}

absl::Status StreamConsumer::Trim(Connection& conn) {
  std::vector<std::vector<std::string>> cmds;
  for (const auto& [stream, tenant] : stream_to_tenant_) {
    cmds.push_back(scripts_->Command("common/trim_stream", {stream}, {options_.group}));
  }
  if (cmds.empty()) return absl::OkStatus();
  auto replies = conn.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  if (auto st = scripts_->FixNoScript(conn, cmds, *replies); !st.ok()) return st;
  for (const auto& r : *replies) {
    if (auto st = ReplyError(r, "trim_stream"); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<int> StreamConsumer::PollOnce(Connection& conn) {
  auto n = Poll(conn);
  // What this consumer was handling may still be pending on it: the next pass takes it back.
  if (!n.ok()) recover_own_ = true;
  return n;
}

absl::StatusOr<int> StreamConsumer::Poll(Connection& conn) {
  int64_t now = SteadyMs();
  if (now >= next_refresh_ms_) {
    if (auto s = RefreshTenants(conn); !s.ok()) return s;
    next_refresh_ms_ = now + options_.tenants_refresh_ms;
  }
  int handled = 0;
  if (recover_own_ && !stream_to_tenant_.empty()) {
    auto n = RecoverOwn(conn);
    if (!n.ok()) return n.status();
    handled += *n;
    recover_own_ = false;
  }
  if (now >= next_reclaim_ms_) {
    auto n = Reclaim(conn);
    if (!n.ok()) return n.status();
    handled += *n;
    next_reclaim_ms_ = now + options_.reclaim_every_ms;
  }
  if (now >= next_trim_ms_) {
    if (auto s = Trim(conn); !s.ok()) return s;
    next_trim_ms_ = now + options_.trim_every_ms;
  }
  if (stream_to_tenant_.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.block_ms));
    return handled;
  }
  std::map<std::string, std::string> from;
  for (const auto& [stream, tenant] : stream_to_tenant_) from[stream] = ">";
  auto reply = ReadStreams(conn, from, /*block=*/true);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) {
    // NOGROUP after a FLUSHALL or a Redis without our groups: recreate them on the next pass.
    stream_to_tenant_.clear();
    next_refresh_ms_ = 0;
    return ReplyError(*reply, "XREADGROUP");
  }
  std::vector<StreamEntry> entries;
  for (const auto& stream : reply->elements) {
    if (stream.elements.size() != 2) continue;
    auto it = stream_to_tenant_.find(stream.elements[0].str);
    if (it == stream_to_tenant_.end()) continue;
    AddEntries(it->second, stream.elements[1], entries);
  }
  if (!entries.empty()) {
    if (auto s = handler_(entries); !s.ok()) return s;
  }
  if (conn.cluster()) {
    // No blocking read on a cluster: an empty pass waits a little longer each time.
    idle_ms_ = entries.empty() ? std::min(std::max(1, idle_ms_ * 2), options_.cluster_idle_ms) : 0;
    if (idle_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(idle_ms_));
  }
  return handled + static_cast<int>(entries.size());
}

absl::StatusOr<Reply> StreamConsumer::ReadStreams(Connection& conn,
                                                  const std::map<std::string, std::string>& from,
                                                  bool block) {
  std::vector<std::string> head = {"XREADGROUP",      "GROUP", options_.group,
                                   options_.consumer, "COUNT", std::to_string(options_.count)};
  if (!conn.cluster()) {
    std::vector<std::string> cmd = head;
    if (block) cmd.insert(cmd.end(), {"BLOCK", std::to_string(options_.block_ms)});
    cmd.push_back("STREAMS");
    for (const auto& [stream, id] : from) cmd.push_back(stream);
    for (const auto& [stream, id] : from) cmd.push_back(id);
    return conn.Command(cmd);
  }
  // A cluster takes no read of several slots: one XREADGROUP per stream, in one pipeline (the
  // cluster connection sends each node its share at once). Their answers make one reply as a
  // read of them all would; a stream whose node failed is left out (read again next pass).
  std::vector<std::vector<std::string>> cmds;
  for (const auto& [stream, id] : from) {
    cmds.push_back(head);
    cmds.back().insert(cmds.back().end(), {"STREAMS", stream, id});
  }
  auto replies = conn.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  Reply out;
  out.type = Reply::Type::kArray;
  size_t i = 0;
  for (auto& r : *replies) {
    const std::string& stream = cmds[i++][7];
    if (r.is_error()) {
      if (!IsTransientError(r)) {
        stream_to_tenant_.erase(stream);  // NOGROUP: the group is made again by the refresh
        next_refresh_ms_ = 0;
      }
      log::WarnEvery("consumer-read", 10, "stream consumer read failed",
                     {{"stream", stream}, {"error", r.str}});
      continue;
    }
    if (r.type == Reply::Type::kArray) {
      for (auto& s : r.elements) out.elements.push_back(std::move(s));
    }
  }
  return out;
}

void StreamConsumer::Run(const std::atomic<bool>& stop) {
  std::unique_ptr<Connection> conn;
  while (!stop.load()) {
    if (conn == nullptr || conn->broken()) {
      // Longer than a blocking read; on a cluster (no blocking reads) as long as a call may wait
      // for a node that is away, so the other nodes' tenants wait no longer than that.
      auto c = pool_->OpenDedicated(std::chrono::milliseconds(
          pool_->endpoint().cluster != nullptr ? 2000 : options_.block_ms + 5000));
      if (!c.ok()) {
        log::WarnEvery("consumer-connect", 10, "stream consumer cannot reach Redis",
                       {{"error", c.status().ToString()}});
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        continue;
      }
      conn = std::move(*c);
      stream_to_tenant_.clear();
      next_refresh_ms_ = 0;
    }
    auto n = PollOnce(*conn);
    if (!n.ok()) {
      log::WarnEvery("consumer-poll", 10, "stream consumer error",
                     {{"group", options_.group}, {"error", n.status().ToString()}});
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace omniroute::redis
