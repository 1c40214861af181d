#include "services/common/redis/pipeliner.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace omniroute::redis {
namespace {

bool IsNotLoaded(const Reply& r) {
  return r.is_error() && absl::StrContains(r.str, "Function not found");
}

}  // namespace

Pipeliner::Pipeliner(Endpoint endpoint, Options options, const Scripts* scripts, Observer* observer)
    : endpoint_(std::move(endpoint)), options_(options), scripts_(scripts), observer_(observer) {
  for (int i = 0; i < std::max(1, options_.lanes); ++i) {
    lanes_.push_back(std::make_unique<Lane>());
    Lane* lane = lanes_.back().get();
    lane->thread = std::thread([this, lane] { Run(lane); });
  }
}

Pipeliner::~Pipeliner() {
  for (auto& lane : lanes_) {
    absl::MutexLock lock(&lane->mu);
    lane->stop = true;
  }
  for (auto& lane : lanes_) lane->thread.join();
}

void Pipeliner::Submit(std::vector<std::vector<std::string>> cmds, Clock::time_point deadline,
                       Done done) {
  Lane* lane = lanes_[next_.fetch_add(1, std::memory_order_relaxed) % lanes_.size()].get();
  {
    absl::MutexLock lock(&lane->mu);
    if (!lane->stop && lane->queue.size() < options_.max_queued) {
      lane->queue.push_back({std::move(cmds), deadline, std::move(done)});
      return;
    }
  }
  done(absl::UnavailableError("redis: too many requests waiting; retry with backoff"));
}

void Pipeliner::Run(Lane* lane) {
  std::unique_ptr<Connection> conn;
  std::vector<Request> batch;
  while (true) {
    {
      absl::MutexLock lock(&lane->mu);
      // Wakes for work or for the stop; what is queued when stopping is still served.
      struct Wait {
        Lane* lane;
        static bool Ready(Wait* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return w->lane->stop || !w->lane->queue.empty();
        }
      } wait{lane};
      lane->mu.Await(absl::Condition(&Wait::Ready, &wait));
      if (lane->queue.empty()) return;  // stopping, nothing left
      if (lane->queue.size() <= options_.max_batch) {
        batch.swap(lane->queue);
      } else {
        auto first = lane->queue.begin();
        auto last = first + static_cast<std::ptrdiff_t>(options_.max_batch);
        batch.assign(std::make_move_iterator(first), std::make_move_iterator(last));
        lane->queue.erase(first, last);
      }
    }
    Serve(conn, batch);
    batch.clear();
  }
}

void Pipeliner::Serve(std::unique_ptr<Connection>& conn, std::vector<Request>& batch) {
  auto now = Clock::now();
  std::vector<Request*> live;
  live.reserve(batch.size());
  for (auto& r : batch) {
    if (r.deadline < now) {
      r.done(absl::DeadlineExceededError("the deadline passed before the request reached Redis"));
    } else {
      live.push_back(&r);
    }
  }
  if (live.empty()) return;
  auto fail = [&](const absl::Status& st) {
    for (Request* r : live) r->done(absl::UnavailableError(absl::StrCat("redis: ", st.message())));
  };
  if (conn == nullptr || conn->broken()) {
    auto opened = Connection::Open(endpoint_, options_.timeout, observer_);
    if (!opened.ok()) {
      conn.reset();
      return fail(opened.status());
    }
    conn = std::move(*opened);
  }
  std::vector<const std::vector<std::string>*> cmds;
  for (Request* r : live) {
    for (const auto& c : r->cmds) cmds.push_back(&c);
  }
  auto replies = conn->Pipeline(cmds);
  if (!replies.ok()) return fail(replies.status());
  // Each request's replies; requests that met a Redis without the library are sent again.
  std::vector<std::vector<Reply>> answers(live.size());
  std::vector<size_t> again;
  size_t at = 0;
  for (size_t i = 0; i < live.size(); ++i) {
    size_t n = live[i]->cmds.size();
    answers[i].assign(
        std::make_move_iterator(replies->begin() + static_cast<std::ptrdiff_t>(at)),
        std::make_move_iterator(replies->begin() + static_cast<std::ptrdiff_t>(at + n)));
    at += n;
    for (const auto& r : answers[i]) {
      if (IsNotLoaded(r)) {
        again.push_back(i);
        break;
      }
    }
  }
  if (!again.empty() && scripts_ != nullptr) {
    if (auto st = scripts_->Load(*conn); !st.ok()) return fail(st);
    std::vector<const std::vector<std::string>*> retry;
    for (size_t i : again) {
      for (const auto& c : live[i]->cmds) retry.push_back(&c);
    }
    auto second = conn->Pipeline(retry);
    if (!second.ok()) return fail(second.status());
    size_t k = 0;
    for (size_t i : again) {
      for (auto& r : answers[i]) r = std::move((*second)[k++]);
    }
  }
  for (size_t i = 0; i < live.size(); ++i) live[i]->done(std::move(answers[i]));
}

}  // namespace omniroute::redis
