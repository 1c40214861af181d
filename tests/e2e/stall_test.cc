// A Redis that stops answering (SIGSTOP for 10 s) while clients keep calling: every call ends
// by its deadline with DEADLINE_EXCEEDED or UNAVAILABLE, the replicas' thread counts do not
// grow with the calls in flight, every service reports NOT_SERVING during the stall, and no
// call whose caller gave up is executed once Redis runs again.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute {
namespace {

using e2e::CmdInt;
using e2e::Prefix;
using sim::ApiClient;

// A field of /proc/<pid>/status ("Threads", "VmRSS" in kB), -1 when unreadable.
int64_t StatusField(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::string value = line.substr(field.size() + 1);
    value = value.substr(0, value.find(" kB"));
    int64_t n = 0;
    if (absl::SimpleAtoi(value, &n)) return n;
  }
  return -1;
}

struct CallEnd {
  grpc::StatusCode code;
  std::string message;
  double seconds;  // from the call's start
};

TEST(StallE2E, CallsEndByTheirDeadlineThreadsStayBoundedNothingRunsLateAndNotServing) {
  testing::Cluster cluster;
  auto keys = cluster.CreateTenant("stall");
  ApiClient api(cluster.endpoints());
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 0);
  if (HasFatalFailure()) return;
  const std::vector<std::string> services = {"intake", "classification", "routing"};
  // Threads and resident memory (kB) of each replica, before and at most during the stall.
  std::map<std::string, int64_t> before, most, rss_before, rss_most;
  for (auto& r : cluster.replicas()) {
    before[r.service] = most[r.service] = StatusField(r.process->pid(), "Threads");
    rss_before[r.service] = rss_most[r.service] = StatusField(r.process->pid(), "VmRSS");
  }

  constexpr int kCalls = 300;
  constexpr auto kDeadline = std::chrono::seconds(2);
  {
    // The integrator's key is then in intake's auth cache: the stalled Submits get as far as
    // sending their script to Redis, where they wait in its socket.
    v1::SubmitInteractionRequest warm;
    warm.set_channel(v1::CHANNEL_CHAT);
    warm.set_subject("warm up");
    v1::SubmitInteractionResponse resp;
    ASSERT_TRUE(api.intake()
                    .SubmitInteraction(ApiClient::Context(keys["integrator"]).get(), warm, &resp)
                    .ok());
  }
  ASSERT_TRUE(cluster.redis().process().Signal(SIGSTOP));
  auto stalled = e2e::Clock::now();

  // kCalls Submits at once, each with a 2 s deadline and its own idempotency key.
  std::mutex mu;
  std::vector<CallEnd> ends;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<v1::SubmitInteractionRequest> requests(kCalls);
  std::vector<v1::SubmitInteractionResponse> responses(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    requests[i].set_channel(v1::CHANNEL_CHAT);
    requests[i].set_subject("my card is blocked");
    requests[i].set_idempotency_key(absl::StrCat("stall-", i));
    contexts.push_back(ApiClient::Context(keys["integrator"], kDeadline));
    auto start = e2e::Clock::now();
    api.intake().async()->SubmitInteraction(
        contexts.back().get(), &requests[i], &responses[i], [&, start](grpc::Status st) {
          std::lock_guard<std::mutex> lock(mu);
          ends.push_back({st.error_code(), st.error_message(), e2e::SecondsSince(start)});
        });
  }

  // During the stall: every service turns NOT_SERVING; thread counts are sampled throughout.
  std::map<std::string, bool> not_serving;
  while (e2e::SecondsSince(stalled) < 10) {
    for (auto& r : cluster.replicas()) {
      most[r.service] = std::max(most[r.service], StatusField(r.process->pid(), "Threads"));
      rss_most[r.service] = std::max(rss_most[r.service], StatusField(r.process->pid(), "VmRSS"));
    }
    for (const auto& s : services) {
      if (!not_serving[s] && !api.Serving(s)) {
        not_serving[s] = true;
        std::printf("stall: %s NOT_SERVING %.1f s into the stall\n", s.c_str(),
                    e2e::SecondsSince(stalled));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (const auto& s : services) EXPECT_TRUE(not_serving[s]) << s << " stayed SERVING";
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_EQ(ends.size(), static_cast<size_t>(kCalls)) << "calls still open after 10 s";
    double slowest = 0;
    std::map<grpc::StatusCode, int> codes;
    for (const auto& e : ends) {
      slowest = std::max(slowest, e.seconds);
      ++codes[e.code];
      EXPECT_TRUE(e.code == grpc::StatusCode::DEADLINE_EXCEEDED ||
                  e.code == grpc::StatusCode::UNAVAILABLE)
          << "code " << e.code << ": " << e.message;
    }
    std::printf(
        "stall: %d calls ended, the slowest after %.2f s (deadline 2 s); "
        "DEADLINE_EXCEEDED %d, UNAVAILABLE %d\n",
        kCalls, slowest, codes[grpc::StatusCode::DEADLINE_EXCEEDED],
        codes[grpc::StatusCode::UNAVAILABLE]);
    EXPECT_LT(slowest, 2.5);
  }
  // The documented bound: a replica's threads do not grow with the calls in flight (a fixed
  // pool of rpc workers, pipeliner lanes, gRPC's own threads); a few of gRPC's may come and go.
  // Memory: the calls waiting hold their requests, nothing grows without bound (32 MB margin; 300
  // waiting calls cost intake ~10 MB).
  for (const auto& [service, n] : most) {
    std::printf(
        "stall: %s threads %lld before, at most %lld during the stall; RSS %lld -> %lld kB\n",
        service.c_str(), static_cast<long long>(before[service]), static_cast<long long>(n),
        static_cast<long long>(rss_before[service]), static_cast<long long>(rss_most[service]));
    EXPECT_LE(n, before[service] + 8) << service;
    EXPECT_LE(rss_most[service], rss_before[service] + 32 * 1024) << service;
  }

  ASSERT_TRUE(cluster.redis().process().Signal(SIGCONT));
  for (const auto& s : services) {
    EXPECT_TRUE(e2e::WaitFor([&] { return api.Serving(s); }, std::chrono::seconds(5)))
        << s << " not SERVING 5 s after Redis resumed";
  }
  // Whatever reached Redis's socket during the stall has run by now: none of it stored anything.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto conn = cluster.redis().Connect();
  int stored = 0;
  for (int i = 0; i < kCalls; ++i) {
    stored += static_cast<int>(
        CmdInt(*conn, {"EXISTS", absl::StrCat(Prefix("stall"), ":idem:stall-", i)}));
  }
  std::printf("stall: after the stall, %d of %d abandoned submits stored\n", stored, kCalls);
  EXPECT_EQ(stored, 0);

  // And the service works again.
  v1::SubmitInteractionRequest req = requests[0];
  req.set_idempotency_key("after-the-stall");
  v1::SubmitInteractionResponse resp;
  EXPECT_TRUE(api.intake()
                  .SubmitInteraction(ApiClient::Context(keys["integrator"]).get(), req, &resp)
                  .ok());
  std::fflush(stdout);
}

}  // namespace
}  // namespace omniroute
