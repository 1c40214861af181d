#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tools/sim/api_client.h"

namespace omniroute::e2e {

// Cancels interactions at given times (the customer hangs up) from its own thread, through the
// given clients in turn.
class Canceler {
 public:
  Canceler(std::vector<sim::ApiClient*> apis, std::string key)
      : apis_(std::move(apis)), key_(std::move(key)), thread_([this] { Loop(); }) {}
  ~Canceler() { Finish(); }

  void Add(const std::string& id, Clock::time_point due);

  // Runs what is pending (at its time), then stops.
  void Finish();

  int64_t canceled = 0;  // CANCELED by this call
  int64_t terminal = 0;  // had ended already
  int64_t assigned = 0;  // FAILED_PRECONDITION: an agent had accepted it
  int64_t errors = 0;    // anything else
  std::string first_error;

 private:
  using Item = std::pair<Clock::time_point, std::string>;

  void Loop();

  std::vector<sim::ApiClient*> apis_;
  const std::string key_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> pending_;
  bool finish_ = false;
  std::thread thread_;
};

}  // namespace omniroute::e2e
