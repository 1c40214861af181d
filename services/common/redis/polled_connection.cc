#include "services/common/redis/polled_connection.h"

#include "absl/strings/str_cat.h"

namespace omniroute::redis {

absl::StatusOr<std::unique_ptr<PolledConnection>> PolledConnection::Open(
    const Endpoint& endpoint, std::chrono::milliseconds timeout) {
  timeval tv;
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  redisContext* ctx = endpoint.unix_path.empty()
                          ? redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv)
                          : redisConnectUnixWithTimeout(endpoint.unix_path.c_str(), tv);
  if (ctx == nullptr) return absl::UnavailableError("redis: cannot allocate context");
  if (ctx->err) {
    std::string err = ctx->errstr;
    redisFree(ctx);
    return absl::UnavailableError(absl::StrCat("redis connect: ", err));
  }
  // The timeout bounds writes and the set-up commands; replies of blocking commands are only
  // read once poll() says they arrived.
  redisSetTimeout(ctx, tv);
  std::unique_ptr<PolledConnection> conn(new PolledConnection(ctx));
  std::vector<std::vector<std::string>> setup;
  if (auto auth = AuthCommand(endpoint); !auth.empty()) setup.push_back(auth);
  if (endpoint.db != 0) setup.push_back({"SELECT", std::to_string(endpoint.db)});
  for (const auto& argv : setup) {
    auto r = conn->Call(argv);
    if (!r.ok()) return r.status();
    if ((*r)->type == REDIS_REPLY_ERROR) {
      return absl::UnavailableError(absl::StrCat("redis ", argv[0], ": ", (*r)->str));
    }
  }
  auto id = conn->Call({"CLIENT", "ID"});
  if (!id.ok()) return id.status();
  // Without CLIENT ID (e.g. forbidden by an ACL) nobody can unblock this connection early; its
  // blocking reads then end on their BLOCK time-out only.
  if ((*id)->type == REDIS_REPLY_INTEGER) conn->client_id_ = (*id)->integer;
  return conn;
}

PolledConnection::~PolledConnection() { redisFree(ctx_); }

absl::Status PolledConnection::Fail(const char* what) {
  return absl::UnavailableError(absl::StrCat("redis ", what, ": ", ctx_->errstr));
}

absl::Status PolledConnection::Send(const std::vector<std::string>& argv) {
  if (AppendArgv(ctx_, argv) != REDIS_OK) return Fail("send");
  int done = 0;
  while (!done) {
    if (redisBufferWrite(ctx_, &done) != REDIS_OK) return Fail("send");
  }
  return absl::OkStatus();
}

absl::StatusOr<ReplyPtr> PolledConnection::ReadReady() {
  void* raw = nullptr;
  // A reply may already sit in the reader's buffer; read the socket only when it does not.
  if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) return Fail("read");
  if (raw == nullptr) {
    if (redisBufferRead(ctx_) != REDIS_OK) return Fail("read");
    if (redisGetReplyFromReader(ctx_, &raw) != REDIS_OK) return Fail("read");
  }
  return ReplyPtr(static_cast<redisReply*>(raw));
}

absl::StatusOr<ReplyPtr> PolledConnection::Call(const std::vector<std::string>& argv) {
  if (auto st = Send(argv); !st.ok()) return st;
  void* raw = nullptr;
  if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return Fail("command");
  return ReplyPtr(static_cast<redisReply*>(raw));
}

}  // namespace omniroute::redis
