#include "tests/e2e/canceler.h"

namespace omniroute::e2e {

void Canceler::Add(const std::string& id, Clock::time_point due) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.push({due, id});
  cv_.notify_all();
}

void Canceler::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    finish_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void Canceler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  int n = 0;
  while (true) {
    if (pending_.empty()) {
      if (finish_) return;
      cv_.wait(lock);
      continue;
    }
    auto due = pending_.top().first;
    if (Clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    std::string id = pending_.top().second;
    pending_.pop();
    lock.unlock();
    v1::CancelInteractionRequest req;
    req.set_interaction_id(id);
    v1::CancelInteractionResponse resp;
    auto st = apis_[n++ % apis_.size()]->intake().CancelInteraction(
        sim::ApiClient::Context(key_).get(), req, &resp);
    lock.lock();
    if (st.ok()) {
      resp.state() == v1::INTERACTION_STATE_CANCELED ? ++canceled : ++terminal;
    } else if (st.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
      ++assigned;
    } else if (++errors == 1) {
      first_error = st.error_message();
    }
  }
}

}  // namespace omniroute::e2e
