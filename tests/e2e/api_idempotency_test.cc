// Idempotent intake over gRPC through the real service processes, also under concurrency
// across intake replicas.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/api_test_util.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute::api_test {
namespace {

TEST(IdempotencyE2E, SameKeyYieldsSameInteractionStoredOnceEvenUnderConcurrency) {
  testing::ClusterOptions options;
  options.replicas = 2;
  testing::Cluster cluster(options);
  ApiClient api0(cluster.endpoints(0)), api1(cluster.endpoints(1));
  ASSERT_NE(cluster.endpoints(0).intake, cluster.endpoints(1).intake);
  auto redis = cluster.redis().Connect();

  // 1. Sequential retry through the other replica: same id, created true then false.
  auto keys = cluster.CreateTenant("idem");
  e2e::SetUpVoiceChatEmail(api0, keys["admin"], 0);
  if (HasFatalFailure()) return;
  v1::SubmitInteractionResponse first, second;
  ASSERT_TRUE(Submit(api0, keys["integrator"], ChatRequest("order-1", "Card lost"), &first).ok());
  auto st = Submit(api1, keys["integrator"], ChatRequest("order-1", "Card lost"), &second);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(first.created());
  EXPECT_FALSE(second.created());
  EXPECT_EQ(first.interaction_id(), second.interaction_id());
  // The batch call honours the same key; the same key twice in one batch is stored once.
  v1::SubmitInteractionsRequest batch;
  *batch.add_interactions() = ChatRequest("order-1", "Card lost");
  *batch.add_interactions() = ChatRequest("order-1b", "Card found");
  *batch.add_interactions() = ChatRequest("order-1b", "Card found");
  v1::SubmitInteractionsResponse bresp;
  ASSERT_TRUE(api1.intake()
                  .SubmitInteractions(ApiClient::Context(keys["integrator"]).get(), batch, &bresp)
                  .ok());
  ASSERT_EQ(bresp.results_size(), 3);
  for (const auto& r : bresp.results()) EXPECT_EQ(r.code(), 0) << r.message();
  EXPECT_EQ(bresp.results(0).interaction_id(), first.interaction_id());
  EXPECT_FALSE(bresp.results(0).created());
  EXPECT_TRUE(bresp.results(1).created());
  EXPECT_FALSE(bresp.results(2).created());
  EXPECT_EQ(bresp.results(1).interaction_id(), bresp.results(2).interaction_id());
  // The same key with a different request: ALREADY_EXISTS naming the key; nothing stored.
  v1::SubmitInteractionResponse conflict;
  st = Submit(api1, keys["integrator"], ChatRequest("order-1", "Card stolen"), &conflict);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(st.error_message().find("idempotency_key"), std::string::npos) << st.error_message();
  EXPECT_EQ(e2e::EntriesAdded(*redis, Prefix("idem") + ":s:intake"), 2);
  EXPECT_EQ(Cmd(*redis, {"KEYS", Prefix("idem") + ":ix:*"}).elements.size(), 2u);

  // 2. 8 threads per intake replica race with one key (half of them through the batch call).
  auto race = cluster.CreateTenant("race");
  e2e::SetUpVoiceChatEmail(api0, race["admin"], 0);
  if (HasFatalFailure()) return;
  constexpr int kThreads = 16;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::string> ids(kThreads);
  std::vector<int> created(kThreads, -1);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ApiClient& api = t % 2 == 0 ? api0 : api1;
      auto req = ChatRequest("race-key-1", "Please call me back");
      auto ctx = ApiClient::Context(race["integrator"]);
      ++ready;
      for (int spin = 0; spin < 200000 && !go.load(); ++spin) std::this_thread::yield();
      if (t % 4 < 2) {
        v1::SubmitInteractionResponse resp;
        auto s = api.intake().SubmitInteraction(ctx.get(), req, &resp);
        if (!s.ok()) {
          errors[t] = s.error_message();
          return;
        }
        ids[t] = resp.interaction_id();
        created[t] = resp.created() ? 1 : 0;
      } else {
        v1::SubmitInteractionsRequest b;
        *b.add_interactions() = req;
        v1::SubmitInteractionsResponse resp;
        auto s = api.intake().SubmitInteractions(ctx.get(), b, &resp);
        if (!s.ok() || resp.results_size() != 1 || resp.results(0).code() != 0) {
          errors[t] =
              s.ok() && resp.results_size() == 1 ? resp.results(0).message() : s.error_message();
          return;
        }
        ids[t] = resp.results(0).interaction_id();
        created[t] = resp.results(0).created() ? 1 : 0;
      }
    });
  }
  ASSERT_TRUE(e2e::WaitFor([&] { return ready.load() == kThreads; }, std::chrono::seconds(10)));
  go = true;
  for (auto& th : threads) th.join();
  std::set<std::string> distinct;
  int creators = 0;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(errors[t].empty()) << "thread " << t << ": " << errors[t];
    distinct.insert(ids[t]);
    creators += created[t] == 1 ? 1 : 0;
  }
  ASSERT_EQ(distinct.size(), 1u);
  EXPECT_EQ(creators, 1);
  const std::string id = *distinct.begin();
  const std::string RP = Prefix("race");
  EXPECT_EQ(e2e::EntriesAdded(*redis, RP + ":s:intake"), 1);
  EXPECT_EQ(Cmd(*redis, {"KEYS", RP + ":ix:*"}).elements.size(), 1u);
  EXPECT_EQ(Cmd(*redis, {"GET", RP + ":idem:race-key-1"}).str, id);
  EXPECT_EQ(CountEvents(*redis, "race", "submitted", id), 1);
  // It flows through the pipeline once: one classification, one enqueue (no agents: queued).
  ASSERT_TRUE(e2e::WaitFor(
      [&] { return StateOf(api1, race["integrator"], id) == v1::INTERACTION_STATE_QUEUED; },
      std::chrono::seconds(10)));
  EXPECT_EQ(CountEvents(*redis, "race", "classified", id), 1);
  EXPECT_EQ(CountEvents(*redis, "race", "queued", id), 1);
  EXPECT_EQ(CmdInt(*redis, {"ZCARD", RP + ":qt:chat:2"}), 1);
}

// intake.proto says an idempotency key is printable ASCII, 1..128 bytes: a space is printable
// ASCII, so a key with spaces is taken (and a control character is not).
TEST(IdempotencyE2E, AKeyWithSpacesIsPrintableAsciiAndWorksLikeAnyOther) {
  testing::Cluster cluster;
  ApiClient api(cluster.endpoints());
  auto keys = cluster.CreateTenant("spaces");
  e2e::SetUpVoiceChatEmail(api, keys["admin"], 0);
  if (HasFatalFailure()) return;
  v1::SubmitInteractionResponse first, retry;
  auto st =
      Submit(api, keys["integrator"], ChatRequest("order 42 / attempt 1", "Card lost"), &first);
  ASSERT_TRUE(st.ok()) << st.error_message();
  st = Submit(api, keys["integrator"], ChatRequest("order 42 / attempt 1", "Card lost"), &retry);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(first.created());
  EXPECT_FALSE(retry.created());
  EXPECT_EQ(first.interaction_id(), retry.interaction_id());
  v1::SubmitInteractionResponse tab;
  st = Submit(api, keys["integrator"], ChatRequest("order\t42", "Card lost"), &tab);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("idempotency_key"), std::string::npos) << st.error_message();
}

}  // namespace
}  // namespace omniroute::api_test
