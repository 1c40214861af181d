#pragma once

#include <grpcpp/grpcpp.h>
#include <prometheus/gauge.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/common/bounded_executor.h"
#include "services/common/grpc/status.h"
#include "services/common/redis/stream_hub.h"
#include "services/common/redis/stream_watch.h"

namespace omniroute::routing {

// Where a watch stream starts: the Redis stream it follows, the id it follows after, and the
// messages it sends before the followed entries (WatchOffers' replay of still-open offers).
template <typename Message>
struct WatchStart {
  std::string key;
  redis::StreamId after;
  std::vector<Message> first;
};

// A server-streaming call (WatchOffers, WatchEvents) fed by the StreamHub: `prepare` (checks the
// caller, finds the start; may block on Redis) runs on the executor, then the call follows its
// StreamWatch, one message in flight at a time. A client that does not read leaves its records
// in the watch (bounded; the hub pauses it) and costs no thread. The call ends OK when the
// client cancels or the hub stops (drain, after the buffered records), with prepare's status
// when that fails, and UNAVAILABLE when reading Redis fails (the client resumes from its last
// id). Deletes itself when gRPC is done with the call.
template <typename Message>
class WatchReactor final : public grpc::ServerWriteReactor<Message> {
 public:
  using Prepare = absl::AnyInvocable<absl::StatusOr<WatchStart<Message>>() &&>;
  using Convert = std::function<Message(const redis::StreamRecord&)>;

  // `open` counts the streams that follow their watch (from the hub's Add to OnDone).
  static WatchReactor* Start(BoundedExecutor* executor, redis::StreamHub* hub, size_t capacity,
                             prometheus::Gauge* open, Prepare prepare, Convert convert) {
    auto* reactor = new WatchReactor(hub, capacity, open, std::move(prepare), std::move(convert));
    if (!executor->Submit([reactor] { reactor->RunPrepare(); })) {
      reactor->EndAndPump(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                       "server overloaded: too many calls waiting; retry"),
                          /*task_done=*/true);
    }
    return reactor;
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      // A failed write means the client is gone; like a cancel, the call ends OK.
      if (!ok && !end_) end_ = grpc::Status::OK;
    }
    Pump(false);
  }

  void OnCancel() override { EndAndPump(grpc::Status::OK, false); }

  void OnDone() override {
    {
      absl::MutexLock lock(&link_->mu);
      link_->reactor = nullptr;
    }
    std::shared_ptr<redis::StreamWatch> watch;
    {
      absl::MutexLock lock(&mu_);
      watch = std::move(watch_);
    }
    if (watch) {
      hub_->Remove(watch);
      open_->Decrement();
    }
    delete this;
  }

 private:
  // What the watch's on_ready reaches: the hub may call it at any time, so OnDone detaches the
  // reactor under this lock before deleting it.
  struct Link {
    absl::Mutex mu;
    WatchReactor* reactor ABSL_GUARDED_BY(mu) = nullptr;
  };

  WatchReactor(redis::StreamHub* hub, size_t capacity, prometheus::Gauge* open, Prepare prepare,
               Convert convert)
      : hub_(hub),
        capacity_(capacity),
        open_(open),
        prepare_(std::move(prepare)),
        convert_(std::move(convert)),
        link_(std::make_shared<Link>()) {
    absl::MutexLock lock(&link_->mu);
    link_->reactor = this;
  }

  void RunPrepare() {
    absl::StatusOr<WatchStart<Message>> start = std::move(prepare_)();
    std::shared_ptr<redis::StreamWatch> watch;
    {
      absl::MutexLock lock(&mu_);
      if (!start.ok()) {
        if (!end_) end_ = ToGrpc(start.status());
      } else if (!end_) {
        first_.assign(std::make_move_iterator(start->first.begin()),
                      std::make_move_iterator(start->first.end()));
        watch = std::make_shared<redis::StreamWatch>(start->key, start->after, capacity_,
                                                     [link = link_] {
                                                       absl::MutexLock lock(&link->mu);
                                                       if (link->reactor)
                                                         link->reactor->Pump(false);
                                                     });
        watch_ = watch;
      }
    }
    // Still pending, so nobody finishes the call (and deletes this) until Pump(true) below.
    if (watch) {
      open_->Increment();
      hub_->Add(watch);
    }
    Pump(true);
  }

  void EndAndPump(grpc::Status status, bool task_done) {
    {
      absl::MutexLock lock(&mu_);
      if (!end_) end_ = std::move(status);
    }
    Pump(task_done);
  }

  // Starts the next write, or finishes the call once it has ended and nothing is in flight.
  // Must be the last thing a caller does: after Finish, OnDone may delete this at any time.
  void Pump(bool task_done) {
    bool write = false;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (task_done) task_pending_ = false;
      if (finished_ || writing_ || task_pending_) return;
      if (!end_) {
        if (!first_.empty()) {
          current_ = std::move(first_.front());
          first_.pop_front();
          write = true;
        } else if (watch_ != nullptr) {
          if (auto record = watch_->Next()) {
            current_ = convert_(**record);
            write = true;
          } else if (auto closed = watch_->closed()) {
            end_ = ToGrpc(*closed);
          }
        }
      }
      if (write) {
        writing_ = true;
      } else if (end_) {
        finished_ = true;
        finish = *end_;
      }
    }
    if (write) {
      this->StartWrite(&current_);
    } else if (finish) {
      this->Finish(*finish);
    }
  }

  redis::StreamHub* const hub_;
  const size_t capacity_;
  prometheus::Gauge* const open_;
  Prepare prepare_;
  const Convert convert_;
  const std::shared_ptr<Link> link_;
  absl::Mutex mu_;
  bool task_pending_ ABSL_GUARDED_BY(mu_) = true;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> end_ ABSL_GUARDED_BY(mu_);
  std::deque<Message> first_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<redis::StreamWatch> watch_ ABSL_GUARDED_BY(mu_);
  // The message being written; only the thread that set writing_ touches it until OnWriteDone.
  Message current_;
};

}  // namespace omniroute::routing
