// Expiring and rotated keys (`omniroute-ctl keys create --expires-in`, `keys rotate`) and the
// audit of Admin changes, through the real service processes.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/common/api_keys.h"
#include "services/common/grpc/auth.h"
#include "tests/e2e/api_test_util.h"
#include "tests/e2e/e2e_grpc.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"

namespace omniroute::api_test {
namespace {

using Clock = std::chrono::steady_clock;

e2e::CommandResult Ctl(testing::Cluster& cluster, std::vector<std::string> args) {
  args.insert(args.begin(), testing::BinDir() + "/omniroute-ctl");
  args.push_back("--redis-url=" + cluster.redis().url());
  return e2e::RunCommand(args, {}, "", cluster.dir());
}

// ListQueues with `key`: a cheap call open to admin and supervisor keys.
grpc::Status ListQueues(ApiClient& api, const std::string& key) {
  v1::ListQueuesRequest r;
  v1::ListQueuesResponse resp;
  return api.admin().ListQueues(ApiClient::Context(key).get(), r, &resp);
}

bool RefusedAsExpired(const grpc::Status& st) {
  return st.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
         st.error_message() == "API key expired";
}

TEST(KeyLifecycleE2E, AnExpiredKeyIsRefusedAndARotationKeepsBothKeysDuringTheOverlap) {
  testing::Cluster cluster;
  ApiClient api(cluster.endpoints());
  auto created = Ctl(cluster, {"keys", "create", "--tenant", "acme", "--roles", "supervisor",
                               "--name", "temp", "--expires-in", "2s"});
  ASSERT_EQ(created.code, 0) << created.err;
  const std::string temp(absl::StripAsciiWhitespace(created.out));
  const auto created_at = Clock::now();
  auto first = ListQueues(api, temp);
  ASSERT_TRUE(first.ok()) << first.error_message();  // and now cached by the replica
  ASSERT_LT(Clock::now() - created_at, std::chrono::seconds(2)) << "machine too slow to test";
  // Refused once expired; the replica's 5 s cache of the key does not extend its life.
  ASSERT_TRUE(e2e::WaitFor([&] { return RefusedAsExpired(ListQueues(api, temp)); },
                           std::chrono::seconds(10)));
  EXPECT_GE(Clock::now() - created_at, std::chrono::milliseconds(1900));
  auto listed = Ctl(cluster, {"keys", "list", "--tenant", "acme"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_TRUE(absl::StrContains(listed.out, "EXPIRES")) << listed.out;
  EXPECT_TRUE(absl::StrContains(listed.out, "(expired)")) << listed.out;
  for (const std::string bad : {"soon", "-5m", "0s"}) {
    auto refused = Ctl(
        cluster, {"keys", "create", "--tenant", "acme", "--roles", "admin", "--expires-in=" + bad});
    EXPECT_EQ(refused.code, 2) << bad;
    EXPECT_TRUE(absl::StrContains(refused.err, "--expires-in")) << refused.err;
  }

  // Rotation with a 3 s overlap: both keys work at once, then only the new one.
  auto ops =
      Ctl(cluster, {"keys", "create", "--tenant", "acme", "--roles", "admin", "--name", "ops-bot"});
  ASSERT_EQ(ops.code, 0) << ops.err;
  const std::string old_key(absl::StripAsciiWhitespace(ops.out));
  ASSERT_TRUE(ListQueues(api, old_key).ok());  // cached before the rotation
  const std::string old_id = HashApiKey(old_key).substr(0, kApiKeyIdLength);
  auto rotated =
      Ctl(cluster, {"keys", "rotate", "--tenant", "acme", "--id", old_id, "--overlap", "3s"});
  ASSERT_EQ(rotated.code, 0) << rotated.err;
  const auto rotated_at = Clock::now();
  const std::string new_key(absl::StripAsciiWhitespace(rotated.out));
  ASSERT_NE(new_key, old_key);
  EXPECT_TRUE(ListQueues(api, old_key).ok());
  EXPECT_TRUE(ListQueues(api, new_key).ok());
  ASSERT_LT(Clock::now() - rotated_at, std::chrono::seconds(3)) << "machine too slow to test";
  // The audit line of the change names the old key by id and name, never a key.
  EXPECT_TRUE(absl::StrContains(rotated.err, "\"msg\":\"admin change\"")) << rotated.err;
  EXPECT_TRUE(absl::StrContains(rotated.err, "\"method\":\"keys.rotate\"")) << rotated.err;
  EXPECT_TRUE(absl::StrContains(rotated.err, "\"key_id\":\"" + old_id + "\"")) << rotated.err;
  EXPECT_TRUE(absl::StrContains(rotated.err, "\"key_name\":\"ops-bot\"")) << rotated.err;
  EXPECT_FALSE(absl::StrContains(rotated.err, new_key));
  EXPECT_FALSE(absl::StrContains(rotated.err, old_key));
  // The old key ends with the overlap (plus at most the replica's 5 s cache of it).
  ASSERT_TRUE(e2e::WaitFor([&] { return RefusedAsExpired(ListQueues(api, old_key)); },
                           std::chrono::seconds(15)));
  EXPECT_GE(Clock::now() - rotated_at, std::chrono::milliseconds(2900));
  EXPECT_TRUE(ListQueues(api, new_key).ok());
  auto rows = Ctl(cluster, {"keys", "list", "--tenant", "acme"});
  int named = 0;
  for (auto line : absl::StrSplit(rows.out, '\n')) named += absl::StrContains(line, "ops-bot");
  EXPECT_EQ(named, 2) << rows.out;  // both listed, the old one as expired
}

// The value of `series` (a metric name with its labels in order, e.g.
// omniroute_admin_changes_total{method="PutQueue",tenant="acme"}) on the replica; 0 if absent.
double Scrape(testing::Replica& replica, const std::string& series) {
  int code = 0;
  std::string body = e2e::HttpGet(replica.metrics_port, "/metrics", &code);
  EXPECT_EQ(code, 200);
  for (auto line : absl::StrSplit(body, '\n')) {
    if (!absl::StartsWith(line, series + " ")) continue;
    double v = 0;
    EXPECT_TRUE(absl::SimpleAtod(line.substr(series.size() + 1), &v)) << line;
    return v;
  }
  return 0;
}

TEST(KeyLifecycleE2E, EveryAdminChangeIsLoggedWithTheKeyNameAndCounted) {
  testing::Cluster cluster;
  ApiClient api(cluster.endpoints());
  auto conn = cluster.redis().Connect();
  auto key = CreateApiKey(*conn, "acme", {Role::kAdmin}, "alice-laptop");
  ASSERT_TRUE(key.ok()) << key.status();
  const std::string id = HashApiKey(*key).substr(0, kApiKeyIdLength);
  testing::Replica& routing = *cluster.Replicas("routing")[0];
  auto series = [](const std::string& method) {
    return "omniroute_admin_changes_total{method=\"" + method + "\",tenant=\"acme\"}";
  };
  const double put_before = Scrape(routing, series("PutQueue"));

  ASSERT_TRUE(e2e::PutQueue(api, *key, "chat", {v1::CHANNEL_CHAT}).ok());
  ASSERT_TRUE(e2e::PutQueue(api, *key, "spare", {v1::CHANNEL_EMAIL}).ok());
  EXPECT_FALSE(e2e::PutQueue(api, *key, "bad name!", {v1::CHANNEL_CHAT}).ok());  // no change
  v1::DeleteQueueRequest del;
  del.set_name("spare");
  v1::DeleteQueueResponse deleted;
  ASSERT_TRUE(api.admin().DeleteQueue(ApiClient::Context(*key).get(), del, &deleted).ok());
  v1::PutTenantConfigRequest config;
  (*config.mutable_config()
        ->mutable_default_queue_by_channel())[static_cast<int>(v1::CHANNEL_CHAT)] = "chat";
  v1::PutTenantConfigResponse written;
  ASSERT_TRUE(api.admin().PutTenantConfig(ApiClient::Context(*key).get(), config, &written).ok());
  // Reads change nothing and are not counted.
  ASSERT_TRUE(ListQueues(api, *key).ok());

  EXPECT_EQ(Scrape(routing, series("PutQueue")) - put_before, 2);
  EXPECT_EQ(Scrape(routing, series("DeleteQueue")), 1);
  EXPECT_EQ(Scrape(routing, series("PutTenantConfig")), 1);
  EXPECT_EQ(Scrape(routing, series("ListQueues")), 0);

  // One log line per change, naming the key by id and name and never the key itself.
  std::vector<std::string> audit;
  ASSERT_TRUE(e2e::WaitFor(
      [&] {
        audit.clear();
        for (auto line : absl::StrSplit(routing.process->ReadLog(), '\n')) {
          if (absl::StrContains(line, "\"msg\":\"admin change\"")) audit.emplace_back(line);
        }
        return audit.size() >= 4;
      },
      std::chrono::seconds(5)));
  ASSERT_EQ(audit.size(), 4u);
  const char* methods[] = {"PutQueue", "PutQueue", "DeleteQueue", "PutTenantConfig"};
  for (size_t i = 0; i < audit.size(); ++i) {
    EXPECT_TRUE(absl::StrContains(audit[i], std::string("\"method\":\"") + methods[i] + "\""))
        << audit[i];
    EXPECT_TRUE(absl::StrContains(audit[i], "\"tenant\":\"acme\"")) << audit[i];
    EXPECT_TRUE(absl::StrContains(audit[i], "\"key_name\":\"alice-laptop\"")) << audit[i];
    EXPECT_TRUE(absl::StrContains(audit[i], "\"key_id\":\"" + id + "\"")) << audit[i];
  }
  EXPECT_FALSE(absl::StrContains(routing.process->ReadLog(), *key));
}

}  // namespace
}  // namespace omniroute::api_test
