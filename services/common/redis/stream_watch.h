#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/common/redis/stream_id.h"

namespace omniroute::redis {

// One entry of a Redis stream as the hub read it; shared by every watch of the stream.
struct StreamRecord {
  StreamId id;
  std::string id_text;  // as Redis printed it
  std::vector<std::pair<std::string, std::string>> fields;
};
using RecordPtr = std::shared_ptr<const StreamRecord>;

// One follower of one Redis stream: a bounded buffer between the StreamHub, which fills it with
// the entries after the follower's cursor, and a consumer (a gRPC stream writer) that drains it.
// A full buffer pauses the watch: the hub stops reading for it, and reads again from its cursor
// once the consumer has taken half of the buffer. So a consumer that never reads costs at most
// `capacity` records and misses nothing. Thread-safe.
class StreamWatch {
 public:
  // `on_ready` is called, never under this watch's lock, when records become available or the
  // watch closes; the consumer then calls Next() until it returns nullopt.
  StreamWatch(std::string key, StreamId after, size_t capacity, std::function<void()> on_ready);

  const std::string& key() const { return key_; }

  // ---- consumer side ----
  // The next buffered record; nullopt when none is buffered now.
  std::optional<RecordPtr> Next();
  // Set once the hub will add nothing more: OK when it stopped (the server drains), UNAVAILABLE
  // when Redis failed. Buffered records are still returned by Next().
  std::optional<absl::Status> closed() const;

  // ---- hub side ----
  // Where the hub should read after for this watch; nullopt while it is paused or closed.
  std::optional<StreamId> ReadAfter() const;
  // Takes, in order, the records (read from Redis after `read_after`) that follow its cursor,
  // while it has room; none when `read_after` is beyond its cursor (the records would leave a
  // gap). Calls on_ready when it took any.
  void Offer(const std::vector<RecordPtr>& records, StreamId read_after);
  void Close(absl::Status status);
  // Called (outside the lock) when a paused watch has room again: the hub reads for it again.
  void SetResumeHook(std::function<void()> hook);

  size_t capacity() const { return capacity_; }
  // Records taken so far; tests use it.
  size_t taken() const;

 private:
  const std::string key_;
  const size_t capacity_;
  const std::function<void()> on_ready_;
  mutable absl::Mutex mu_;
  StreamId cursor_ ABSL_GUARDED_BY(mu_);  // id of the last record taken
  std::deque<RecordPtr> buffer_ ABSL_GUARDED_BY(mu_);
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  size_t taken_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<absl::Status> closed_ ABSL_GUARDED_BY(mu_);
  std::function<void()> resume_hook_ ABSL_GUARDED_BY(mu_);
};

}  // namespace omniroute::redis
