#include "services/common/redis/stream_watch.h"

namespace omniroute::redis {

StreamWatch::StreamWatch(std::string key, StreamId after, size_t capacity,
                         std::function<void()> on_ready)
    : key_(std::move(key)),
      capacity_(capacity < 1 ? 1 : capacity),
      on_ready_(std::move(on_ready)),
      cursor_(after) {}

std::optional<RecordPtr> StreamWatch::Next() {
  std::function<void()> resume;
  std::optional<RecordPtr> out;
  {
    absl::MutexLock lock(&mu_);
    if (buffer_.empty()) return std::nullopt;
    out = std::move(buffer_.front());
    buffer_.pop_front();
    // Resume at half the buffer rather than at the first free slot, so a slow reader makes the
    // hub read for it once per half buffer, not once per record.
    if (paused_ && !closed_ && buffer_.size() <= capacity_ / 2) {
      paused_ = false;
      resume = resume_hook_;
    }
  }
  if (resume) resume();
  return out;
}

std::optional<absl::Status> StreamWatch::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

std::optional<StreamId> StreamWatch::ReadAfter() const {
  absl::MutexLock lock(&mu_);
  if (paused_ || closed_) return std::nullopt;
  return cursor_;
}

void StreamWatch::Offer(const std::vector<RecordPtr>& records, StreamId read_after) {
  bool took = false;
  {
    absl::MutexLock lock(&mu_);
    if (closed_ || cursor_ < read_after) return;
    for (const auto& r : records) {
      if (r->id <= cursor_) continue;
      if (buffer_.size() >= capacity_) {
        paused_ = true;
        break;
      }
      buffer_.push_back(r);
      cursor_ = r->id;
      ++taken_;
      took = true;
    }
  }
  if (took && on_ready_) on_ready_();
}

void StreamWatch::Close(absl::Status status) {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    closed_ = std::move(status);
  }
  if (on_ready_) on_ready_();
}

void StreamWatch::SetResumeHook(std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  resume_hook_ = std::move(hook);
}

size_t StreamWatch::taken() const {
  absl::MutexLock lock(&mu_);
  return taken_;
}

}  // namespace omniroute::redis
