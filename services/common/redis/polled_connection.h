#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::redis {

struct FreeReply {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, FreeReply>;

// A Redis connection whose reply is awaited with poll() on fd() instead of a blocking read, so
// that one thread can wait on the blocking commands (XREAD BLOCK) of many connections at once.
// One command at a time; not thread-safe.
class PolledConnection {
 public:
  // Connects, authenticates, selects the database and reads the connection's CLIENT ID.
  static absl::StatusOr<std::unique_ptr<PolledConnection>> Open(const Endpoint& endpoint,
                                                                std::chrono::milliseconds timeout);
  ~PolledConnection();
  PolledConnection(const PolledConnection&) = delete;
  PolledConnection& operator=(const PolledConnection&) = delete;

  int fd() const { return ctx_->fd; }
  // The id CLIENT UNBLOCK takes to wake this connection's blocked command.
  int64_t client_id() const { return client_id_; }

  // Writes one command (waiting for the socket only as long as Redis takes to read it).
  absl::Status Send(const std::vector<std::string>& argv);
  // Reads what has arrived; call when poll() reports fd() readable. Returns the reply once it is
  // complete, nullptr while it is not.
  absl::StatusOr<ReplyPtr> ReadReady();

 private:
  explicit PolledConnection(redisContext* ctx) : ctx_(ctx) {}
  // Send, then a blocking read of the reply (set-up commands only).
  absl::StatusOr<ReplyPtr> Call(const std::vector<std::string>& argv);
  absl::Status Fail(const char* what);

  redisContext* ctx_;
  int64_t client_id_ = 0;
};

}  // namespace omniroute::redis
