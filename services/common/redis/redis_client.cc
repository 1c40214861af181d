#include "services/common/redis/redis_client.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/redis/cluster_map.h"

namespace omniroute::redis {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = ms.count() / 1000;
  tv.tv_usec = (ms.count() % 1000) * 1000;
  return tv;
}

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

}  // namespace

int AppendArgv(redisContext* ctx, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  return redisAppendCommandArgv(ctx, static_cast<int>(argv.size()), ptrs.data(), lens.data());
}

namespace {

// Moves "[user]:password@" from the front of `rest` (after the scheme) into `e`.
absl::Status TakeCredentials(std::string& rest, Endpoint& e) {
  auto at = rest.rfind('@');
  if (at == std::string::npos) return absl::OkStatus();
  std::string auth = rest.substr(0, at);
  auto colon = auth.find(':');
  if (colon != std::string::npos) e.username = auth.substr(0, colon);
  e.password = colon == std::string::npos ? auth : auth.substr(colon + 1);
  if (e.password.empty() && !e.username.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis url: user '", e.username, "' has an empty password"));
  }
  rest = rest.substr(at + 1);
  return absl::OkStatus();
}

// host:port[,host:port...] of redis+cluster://, into the seeds of the endpoint's slot map.
absl::Status ParseSeeds(const std::string& url, const std::string& list, Endpoint& e) {
  std::vector<NodeAddress> seeds;
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    auto colon = item.rfind(':');
    NodeAddress node;
    if (colon == absl::string_view::npos || colon == 0 ||
        !absl::SimpleAtoi(item.substr(colon + 1), &node.port) || node.port <= 0 ||
        node.port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis url '", RedactUrl(url), "': node '", item, "' is not host:port"));
    }
    node.host = std::string(item.substr(0, colon));
    seeds.push_back(std::move(node));
  }
  e.host = seeds.front().host;
  e.port = seeds.front().port;
  Endpoint node = e;
  e.cluster = std::make_shared<ClusterMap>(std::move(seeds), std::move(node));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Endpoint> ParseUrl(const std::string& url) {
  Endpoint e;
  constexpr absl::string_view kCluster = "redis+cluster://";
  if (absl::StartsWith(url, kCluster)) {
    std::string rest = url.substr(kCluster.size());
    if (auto st = TakeCredentials(rest, e); !st.ok()) return st;
    if (rest.find('/') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis url '", RedactUrl(url), "': a cluster has only database 0 (no /db)"));
    }
    if (rest.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis url '", RedactUrl(url), "': no cluster node (host:port,...)"));
    }
    if (auto st = ParseSeeds(url, rest, e); !st.ok()) return st;
    return e;
  }
  if (url.rfind("unix://", 0) == 0) {
    e.unix_path = url.substr(7);
    if (e.unix_path.empty()) return absl::InvalidArgumentError("redis url: empty unix socket path");
    return e;
  }
  if (url.rfind("redis://", 0) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis url '", RedactUrl(url), "': must start with redis://, redis+cluster:// or unix://"));
  }
  std::string rest = url.substr(8);
  if (auto st = TakeCredentials(rest, e); !st.ok()) return st;
  auto slash = rest.find('/');
  if (slash != std::string::npos) {
    std::string db = rest.substr(slash + 1);
    if (!db.empty() && !absl::SimpleAtoi(db, &e.db)) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis url '", RedactUrl(url), "': bad database"));
    }
    rest = rest.substr(0, slash);
  }
  auto colon = rest.rfind(':');
  if (colon != std::string::npos) {
    if (!absl::SimpleAtoi(rest.substr(colon + 1), &e.port) || e.port <= 0 || e.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("redis url '", RedactUrl(url), "': bad port"));
    }
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) e.host = rest;
  return e;
}

std::string RedactUrl(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  return url.substr(0, scheme + 3) + "***" + url.substr(at);
}

std::vector<std::string> AuthCommand(const Endpoint& endpoint) {
  if (endpoint.password.empty()) return {};
  if (endpoint.username.empty()) return {"AUTH", endpoint.password};
  return {"AUTH", endpoint.username, endpoint.password};
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const Endpoint& endpoint,
                                                             std::chrono::milliseconds timeout,
                                                             Observer* observer, bool timed) {
  auto failed = [observer](absl::Status st) {
    if (observer != nullptr) observer->Failed();
    return st;
  };
  if (endpoint.cluster != nullptr) {
    // Nodes are connected to on first use.
    std::unique_ptr<Connection> conn(new Connection(nullptr));
    conn->cluster_ = endpoint.cluster;
    conn->node_endpoint_ = endpoint;
    conn->timeout_ = timeout;
    conn->observer_ = observer;
    conn->timed_ = timed;
    return conn;
  }
  timeval tv = ToTimeval(timeout);
  redisContext* ctx = endpoint.unix_path.empty()
                          ? redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv)
                          : redisConnectUnixWithTimeout(endpoint.unix_path.c_str(), tv);
  if (ctx == nullptr) return failed(absl::UnavailableError("redis: cannot allocate context"));
  if (ctx->err) {
    std::string err = ctx->errstr;
    redisFree(ctx);
    return failed(absl::UnavailableError(absl::StrCat("redis connect: ", err)));
  }
  redisSetTimeout(ctx, tv);
  std::unique_ptr<Connection> conn(new Connection(ctx));
  conn->observer_ = observer;
  conn->timed_ = timed;
  if (auto auth = AuthCommand(endpoint); !auth.empty()) {
    auto r = conn->Command(auth);
    if (!r.ok()) return r.status();
    if (r->is_error()) return absl::PermissionDeniedError(absl::StrCat("redis AUTH: ", r->str));
  }
  if (endpoint.db != 0) {
    auto r = conn->Command({"SELECT", std::to_string(endpoint.db)});
    if (!r.ok()) return r.status();
    if (r->is_error()) return absl::InvalidArgumentError(absl::StrCat("redis SELECT: ", r->str));
  }
  return conn;
}

Connection::~Connection() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

void Connection::SetTimeout(std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  if (ctx_ != nullptr) redisSetTimeout(ctx_, ToTimeval(timeout));
  for (auto& n : nodes_) n.conn->SetTimeout(timeout);
}

absl::Status Connection::Fail(const char* what) {
  broken_ = true;
  if (observer_ != nullptr) observer_->Failed();
  return absl::UnavailableError(absl::StrCat("redis ", what, ": ", ctx_->errstr));
}

absl::StatusOr<Reply> Connection::Command(const std::vector<std::string>& argv) {
  if (cluster_ != nullptr) return ClusterCommand(argv);
  if (broken_) return absl::UnavailableError("redis: connection is broken");
  auto started = std::chrono::steady_clock::now();
  AppendArgv(ctx_, argv);
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return Fail("command");
  Observe(started);
  Reply out = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return out;
}

absl::StatusOr<std::vector<Reply>> Connection::Pipeline(
    const std::vector<std::vector<std::string>>& cmds) {
  std::vector<const std::vector<std::string>*> refs;
  refs.reserve(cmds.size());
  for (const auto& c : cmds) refs.push_back(&c);
  return Pipeline(refs);
}

absl::StatusOr<std::vector<Reply>> Connection::Pipeline(
    const std::vector<const std::vector<std::string>*>& cmds) {
  if (cluster_ != nullptr) return ClusterPipeline(cmds);
  if (broken_) return absl::UnavailableError("redis: connection is broken");
  auto started = std::chrono::steady_clock::now();
  for (const auto* argv : cmds) AppendArgv(ctx_, *argv);
  std::vector<Reply> out;
  out.reserve(cmds.size());
  for (size_t i = 0; i < cmds.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return Fail("pipeline");
    out.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  Observe(started);
  return out;
}

absl::Status Connection::Send(const std::vector<const std::vector<std::string>*>& cmds) {
  if (broken_) return absl::UnavailableError("redis: connection is broken");
  for (const auto* argv : cmds) AppendArgv(ctx_, *argv);
  int done = 0;
  while (!done) {
    if (redisBufferWrite(ctx_, &done) != REDIS_OK) return Fail("write");
  }
  return absl::OkStatus();
}

absl::StatusOr<Reply> Connection::Receive() {
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return Fail("read");
  Reply out = Convert(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return out;
}

void Connection::Observe(std::chrono::steady_clock::time_point started) const {
  if (observer_ != nullptr && timed_) {
    observer_->RoundTrip(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
}

Pool::Pool(Endpoint endpoint, int size, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), size_(size), timeout_(timeout) {}

Pool::Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Return(std::move(conn_));
}

namespace {
thread_local std::chrono::system_clock::time_point call_deadline =
    std::chrono::system_clock::time_point::max();
}  // namespace

CallDeadline::CallDeadline(std::chrono::system_clock::time_point deadline)
    : previous_(call_deadline) {
  call_deadline = std::min(previous_, deadline);
}

CallDeadline::~CallDeadline() { call_deadline = previous_; }

std::chrono::system_clock::time_point CallDeadline::Current() { return call_deadline; }

absl::StatusOr<Pool::Lease> Pool::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto now = std::chrono::system_clock::now();
    auto until = std::min(now + timeout_, std::max(now, CallDeadline::Current()));
    if (!cv_.wait_until(lock, until, [&] { return !idle_.empty() || open_ < size_; })) {
      if (until < now + timeout_) {
        return absl::DeadlineExceededError(
            "redis: no connection came free before the call's deadline");
      }
      return absl::UnavailableError(
          absl::StrCat("redis: no connection came free within ", timeout_.count(), " ms"));
    }
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;
  }
  auto conn = Connection::Open(endpoint_, timeout_, observer_.load());
  if (!conn.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    cv_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(*conn));
}

absl::StatusOr<std::unique_ptr<Connection>> Pool::OpenDedicated(std::chrono::milliseconds timeout) {
  return Connection::Open(endpoint_, timeout, observer_.load(), /*timed=*/false);
}

void Pool::Return(std::unique_ptr<Connection> conn) {
  if (conn->broken()) {
    // A connection that failed most likely shares its fate with the idle ones (Redis restarted
    // or went away): they go too.
    DropIdle();
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    cv_.notify_one();
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(conn));
  cv_.notify_one();
}

void Pool::DropIdle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dropped.swap(idle_);
    open_ -= static_cast<int>(dropped.size());
    cv_.notify_all();
  }
  // Closed outside the lock.
}

std::vector<std::string> ReplyStrings(const Reply& reply) {
  std::vector<std::string> out;
  if (reply.type == Reply::Type::kArray) {
    for (const auto& e : reply.elements) {
      out.push_back(e.type == Reply::Type::kInteger ? std::to_string(e.integer) : e.str);
    }
  }
  return out;
}

bool IsTransientError(const Reply& reply) {
  if (!reply.is_error()) return false;
  for (absl::string_view prefix : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN",
                                   "READONLY", "NOREPLICAS", "MISCONF", "NODEDOWN"}) {
    if (absl::StartsWith(reply.str, prefix)) {
      size_t n = prefix.size();
      if (reply.str.size() == n || reply.str[n] == ' ') return true;
    }
  }
  return false;
}

absl::Status ReplyError(const Reply& reply, const std::string& context) {
  if (!reply.is_error()) return absl::OkStatus();
  if (IsTransientError(reply)) {
    return absl::UnavailableError(
        absl::StrCat(context, ": redis is not answering now: ", reply.str));
  }
  return absl::InternalError(absl::StrCat(context, ": redis error: ", reply.str));
}

}  // namespace omniroute::redis
