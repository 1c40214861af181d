#include "tools/demo/health.h"

#include <chrono>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace omniroute::demo {
namespace {

const char* const kServices[] = {"intake", "classification", "routing"};

}  // namespace

std::string HealthLine(sim::ApiClient& api) {
  std::vector<std::string> parts;
  for (const char* s : kServices) {
    parts.push_back(absl::StrCat(s, " ", api.Serving(s) ? "SERVING" : "NOT_SERVING"));
  }
  return absl::StrJoin(parts, ", ");
}

bool WaitHealthy(sim::ApiClient& api, int seconds, std::string* not_serving) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (true) {
    std::vector<std::string> down;
    for (const char* s : kServices) {
      if (!api.Serving(s)) down.push_back(s);
    }
    if (down.empty()) return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      *not_serving = absl::StrJoin(down, ", ");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace omniroute::demo
