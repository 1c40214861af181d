// Labels of the per-process gRPC metrics stay bounded and readable.
#include "services/common/grpc/process_metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "omniroute/v1/routing.grpc.pb.h"

namespace omniroute {
namespace {

TEST(ProcessMetricsTest, CodeNamesFollowGrpc) {
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::INVALID_ARGUMENT), "INVALID_ARGUMENT");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::UNAVAILABLE), "UNAVAILABLE");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_STREQ(GrpcCodeName(static_cast<grpc::StatusCode>(99)), "UNKNOWN");
}

TEST(ProcessMetricsTest, KnownMethodsKeepTheirNameOthersAreOther) {
  EXPECT_EQ(MethodLabel("/omniroute.v1.Routing/AcceptOffer"), "/omniroute.v1.Routing/AcceptOffer");
  EXPECT_EQ(MethodLabel("/grpc.health.v1.Health/Check"), "/grpc.health.v1.Health/Check");
  EXPECT_EQ(MethodLabel("/omniroute.v1.Routing/NoSuchMethod"), "other");
  EXPECT_EQ(MethodLabel("/evil.Service/x1234"), "other");
  EXPECT_EQ(MethodLabel("no-slash"), "other");
  EXPECT_EQ(MethodLabel(nullptr), "other");
}

TEST(ProcessMetricsTest, FinishedCountsByCodeAndTimesUnaryCalls) {
  prometheus::Registry registry;
  RpcMetrics m(registry, "routing");
  m.Finished("/omniroute.v1.Routing/AcceptOffer", grpc::StatusCode::OK, 0.002);
  m.Finished("/omniroute.v1.Routing/AcceptOffer", grpc::StatusCode::OK, 0.004);
  m.Finished("/omniroute.v1.Routing/AcceptOffer", grpc::StatusCode::NOT_FOUND, 0.001);
  m.Finished("/omniroute.v1.Routing/WatchOffers", grpc::StatusCode::CANCELLED, -1);
  std::map<std::string, double> counts;
  uint64_t timed = 0;
  for (const auto& family : registry.Collect()) {
    for (const auto& metric : family.metric) {
      std::string key;
      for (const auto& l : metric.label) key += l.name + "=" + l.value + " ";
      if (family.name == "omniroute_grpc_requests_total") counts[key] = metric.counter.value;
      if (family.name == "omniroute_grpc_request_duration_seconds") {
        timed += metric.histogram.sample_count;
      }
    }
  }
  EXPECT_EQ(counts["code=OK method=/omniroute.v1.Routing/AcceptOffer service=routing "], 2);
  EXPECT_EQ(counts["code=NOT_FOUND method=/omniroute.v1.Routing/AcceptOffer service=routing "], 1);
  EXPECT_EQ(counts["code=CANCELLED method=/omniroute.v1.Routing/WatchOffers service=routing "], 1);
  EXPECT_EQ(timed, 3u) << "streaming calls are counted, not timed";
}

TEST(ProcessMetricsTest, ConcurrentCallsOfNewMethodsAndCodesLoseNothing) {
  prometheus::Registry registry;
  RpcMetrics m(registry, "intake");
  constexpr int kThreads = 8, kCalls = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < kCalls; ++i) {
        // Every thread races to create the same few methods and codes.
        m.Finished(i % 2 ? "/omniroute.v1.Intake/SubmitInteraction" : "other",
                   i % 3 ? grpc::StatusCode::OK : grpc::StatusCode::UNAVAILABLE, 0.001 * t);
      }
    });
  }
  for (auto& th : threads) th.join();
  double total = 0;
  size_t series = 0;
  for (const auto& family : registry.Collect()) {
    if (family.name != "omniroute_grpc_requests_total") continue;
    series = family.metric.size();
    for (const auto& metric : family.metric) total += metric.counter.value;
  }
  EXPECT_EQ(total, kThreads * kCalls);
  EXPECT_EQ(series, 4u);  // 2 methods x 2 codes, each created once
}

}  // namespace
}  // namespace omniroute
