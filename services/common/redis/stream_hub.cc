#include "services/common/redis/stream_hub.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/common/log/log.h"
#include "services/common/redis/cluster_map.h"
#include "services/common/redis/key_slot.h"

namespace omniroute::redis {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string ReplyText(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
                          r->type == REDIS_REPLY_ERROR)
             ? std::string(r->str, r->len)
             : std::string();
}

// Decodes one stream of an XREAD reply, [key, [[id, [field, value, ...]], ...]].
std::vector<RecordPtr> DecodeEntries(const redisReply& entries) {
  std::vector<RecordPtr> out;
  if (entries.type != REDIS_REPLY_ARRAY) return out;
  out.reserve(entries.elements);
  for (size_t i = 0; i < entries.elements; ++i) {
    const redisReply* e = entries.element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2) continue;
    auto record = std::make_shared<StreamRecord>();
    record->id_text = ReplyText(e->element[0]);
    auto id = StreamId::Parse(record->id_text);
    if (!id) continue;
    record->id = *id;
    const redisReply* kv = e->element[1];
    if (kv->type == REDIS_REPLY_ARRAY) {
      record->fields.reserve(kv->elements / 2);
      for (size_t k = 0; k + 1 < kv->elements; k += 2) {
        record->fields.emplace_back(ReplyText(kv->element[k]), ReplyText(kv->element[k + 1]));
      }
    }
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace

StreamHub::StreamHub(Endpoint endpoint, HubOptions options)
    : endpoint_(std::move(endpoint)),
      options_(options),
      wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

StreamHub::~StreamHub() {
  Stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void StreamHub::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || stopped_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void StreamHub::Stop() {
  std::vector<std::shared_ptr<StreamWatch>> closing;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& [key, k] : keys_) {
      for (auto& w : k.watches) closing.push_back(std::move(w));
    }
    keys_.clear();
    for (auto& g : groups_) g.keys.clear();
    watches_ = 0;
  }
  Wake();
  if (thread_.joinable()) thread_.join();
  for (auto& w : closing) {
    w->SetResumeHook(nullptr);
    w->Close(absl::OkStatus());
  }
}

void StreamHub::Add(const std::shared_ptr<StreamWatch>& watch) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_) {
      Key& k = keys_[watch->key()];
      k.watches.push_back(watch);
      ++watches_;
      if (k.group < 0) {
        int slot = endpoint_.cluster != nullptr ? KeySlot(watch->key()) : -1;
        auto it = std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) {
          return g.keys.size() < static_cast<size_t>(options_.keys_per_read) &&
                 (g.slot == slot || g.keys.empty());
        });
        if (it == groups_.end()) it = groups_.insert(groups_.end(), Group{});
        it->slot = slot;
        it->keys.push_back(watch->key());
        k.group = static_cast<int>(it - groups_.begin());
      }
      StreamWatch* raw = watch.get();
      watch->SetResumeHook([this, raw] {
        {
          absl::MutexLock lock(&mu_);
          auto it = keys_.find(raw->key());
          if (it == keys_.end()) return;
          const auto& ws = it->second.watches;
          if (std::none_of(ws.begin(), ws.end(), [&](const auto& w) { return w.get() == raw; })) {
            return;
          }
          MarkDirty(raw->key(), raw->ReadAfter());
        }
        Wake();
      });
      MarkDirty(watch->key(), watch->ReadAfter());
      Wake();
      return;
    }
  }
  watch->Close(absl::OkStatus());
}

void StreamHub::Remove(const std::shared_ptr<StreamWatch>& watch) {
  watch->SetResumeHook(nullptr);
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(watch->key());
  if (it == keys_.end()) return;
  auto& ws = it->second.watches;
  auto w = std::find(ws.begin(), ws.end(), watch);
  if (w == ws.end()) return;
  ws.erase(w);
  --watches_;
  if (!ws.empty()) return;
  // The key leaves its group at once; an XREAD in flight that still names it delivers nothing.
  if (it->second.group >= 0) {
    auto& keys = groups_[it->second.group].keys;
    keys.erase(std::find(keys.begin(), keys.end(), watch->key()));
  }
  keys_.erase(it);
}

StreamHub::Stats StreamHub::stats() const {
  absl::MutexLock lock(&mu_);
  Stats s = counters_;
  s.watches = watches_;
  s.keys = keys_.size();
  return s;
}

void StreamHub::MarkDirty(const std::string& key, std::optional<StreamId> after) {
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.group < 0 || !after) return;
  // The read in flight already covers a watch at or after its id (the watch skips what it had).
  if (it->second.in_flight_after && *it->second.in_flight_after <= *after) return;
  groups_[it->second.group].dirty = true;
}

void StreamHub::Wake() {
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

void StreamHub::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopped_) break;
    }
    SendReads();
    SendUnblocks();
    Poll();
  }
  io_.clear();
  controls_.clear();
}

void StreamHub::SendReads() {
  std::vector<std::pair<int, std::vector<std::pair<std::string, StreamId>>>> reads;
  {
    absl::MutexLock lock(&mu_);
    if (io_.size() < groups_.size()) io_.resize(groups_.size());
    for (size_t g = 0; g < groups_.size(); ++g) {
      if (io_[g].in_flight) continue;
      if (groups_[g].keys.empty() && io_[g].conn != nullptr) {
        io_[g].conn.reset();  // an emptied group gives its connection back
        --counters_.connections;
      }
      std::vector<std::pair<std::string, StreamId>> group_reads;
      for (const auto& key : groups_[g].keys) {
        Key& k = keys_.at(key);
        std::optional<StreamId> after;
        for (const auto& w : k.watches) {
          auto a = w->ReadAfter();
          if (a && (!after || *a < *after)) after = a;
        }
        k.in_flight_after = after;
        if (after) group_reads.emplace_back(key, *after);
      }
      groups_[g].dirty = false;
      if (!group_reads.empty()) reads.emplace_back(static_cast<int>(g), std::move(group_reads));
    }
  }
  for (auto& [g, group_reads] : reads) {
    GroupIo& io = io_[g];
    auto endpoint = GroupEndpoint(g);
    if (!endpoint.ok()) {
      FailGroup(g, endpoint.status());
      continue;
    }
    std::string node = endpoint_.cluster != nullptr
                           ? NodeAddress{endpoint->host, endpoint->port}.ToString()
                           : std::string();
    if (io.conn != nullptr && io.node != node) {  // the slot is elsewhere now
      io.conn.reset();
      absl::MutexLock lock(&mu_);
      --counters_.connections;
    }
    if (io.conn == nullptr) {
      auto conn = PolledConnection::Open(*endpoint, options_.timeout);
      if (!conn.ok()) {
        if (endpoint_.cluster != nullptr) endpoint_.cluster->MarkStale();
        FailGroup(g, conn.status());
        continue;
      }
      io.conn = std::move(*conn);
      io.node = node;
      absl::MutexLock lock(&mu_);
      ++counters_.connections;
    }
    std::vector<std::string> argv = {"XREAD",
                                     "COUNT",
                                     std::to_string(options_.count),
                                     "BLOCK",
                                     std::to_string(options_.block_ms),
                                     "STREAMS"};
    argv.reserve(argv.size() + 2 * group_reads.size());
    for (const auto& r : group_reads) argv.push_back(r.first);
    for (const auto& r : group_reads) argv.push_back(r.second.ToString());
    if (auto st = io.conn->Send(argv); !st.ok()) {
      FailGroup(g, st);
      continue;
    }
    io.in_flight = true;
    io.unblock_sent = false;
    io.sent_at = SteadyClock::now();
    io.sent = std::move(group_reads);
  }
}

void StreamHub::Poll() {
  std::vector<pollfd> fds = {{wake_fd_, POLLIN, 0}};
  std::vector<int> polled;
  bool retry_unblock = false;
  auto now = SteadyClock::now();
  auto stuck_after = std::chrono::milliseconds(options_.block_ms) + 2 * options_.timeout;
  int timeout_ms = static_cast<int>(stuck_after.count());
  {
    absl::MutexLock lock(&mu_);
    for (size_t g = 0; g < io_.size(); ++g) {
      if (!io_[g].in_flight) continue;
      fds.push_back({io_[g].conn->fd(), POLLIN, 0});
      polled.push_back(static_cast<int>(g));
      if (g < groups_.size() && groups_[g].dirty && !io_[g].unblock_sent && !unblock_refused_) {
        retry_unblock = true;
      }
    }
  }
  if (retry_unblock) timeout_ms = 1;
  poll(fds.data(), fds.size(), timeout_ms);
  if (fds[0].revents & POLLIN) {
    uint64_t n;
    (void)!read(wake_fd_, &n, sizeof(n));
  }
  now = SteadyClock::now();
  for (size_t i = 0; i < polled.size(); ++i) {
    int g = polled[i];
    GroupIo& io = io_[g];
    if (fds[i + 1].revents == 0) {
      if (now - io.sent_at > stuck_after) {
        FailGroup(g, absl::UnavailableError("redis: XREAD did not answer in time"));
      }
      continue;
    }
    auto reply = io.conn->ReadReady();
    if (!reply.ok()) {
      FailGroup(g, reply.status());
      continue;
    }
    if (*reply == nullptr) continue;  // more of the reply to come
    io.in_flight = false;
    HandleReply(g, **reply);
  }
}

void StreamHub::HandleReply(int group, const redisReply& reply) {
  if (reply.type == REDIS_REPLY_ERROR) {
    std::string error = ReplyText(&reply);
    if (endpoint_.cluster != nullptr && Redirected(group, error)) return;
    Reply r;
    r.type = Reply::Type::kError;
    r.str = error;
    FailGroup(group, ReplyError(r, "redis XREAD"));
    return;
  }
  io_[group].redirected = 0;
  absl::flat_hash_map<std::string, std::vector<RecordPtr>> by_key;
  if (reply.type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < reply.elements; ++i) {
      const redisReply* s = reply.element[i];
      if (s->type != REDIS_REPLY_ARRAY || s->elements != 2) continue;
      by_key[ReplyText(s->element[0])] = DecodeEntries(*s->element[1]);
    }
  }
  struct Delivery {
    std::vector<std::shared_ptr<StreamWatch>> watches;
    const std::vector<RecordPtr>* records;
    StreamId after;
  };
  std::vector<Delivery> deliveries;
  {
    absl::MutexLock lock(&mu_);
    ++counters_.reads;
    for (const auto& [key, after] : io_[group].sent) {
      auto it = keys_.find(key);
      if (it == keys_.end() || it->second.group != group) continue;
      it->second.in_flight_after.reset();
      auto records = by_key.find(key);
      if (records != by_key.end() && !records->second.empty()) {
        deliveries.push_back({it->second.watches, &records->second, after});
      }
    }
  }
  io_[group].sent.clear();
  // Outside the lock: a watch's on_ready starts a gRPC write, which may call back into the hub.
  for (const auto& d : deliveries) {
    for (const auto& w : d.watches) w->Offer(*d.records, d.after);
  }
}

void StreamHub::FailGroup(int group, const absl::Status& status) {
  std::vector<std::shared_ptr<StreamWatch>> closing;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& key : groups_[group].keys) {
      auto it = keys_.find(key);
      if (it == keys_.end()) continue;
      for (auto& w : it->second.watches) closing.push_back(std::move(w));
      keys_.erase(it);
    }
    watches_ -= closing.size();
    groups_[group].keys.clear();
    groups_[group].dirty = false;
    if (io_[group].conn != nullptr) --counters_.connections;
  }
  io_[group] = GroupIo{};
  log::WarnEvery("stream-hub", 5, "stream watchers ended: reading their streams failed",
                 {{"error", status.message()}, {"watchers", std::to_string(closing.size())}});
  for (auto& w : closing) {
    w->SetResumeHook(nullptr);
    w->Close(status);
  }
}

}  // namespace omniroute::redis
