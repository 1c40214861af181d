// Redis that demands credentials: the services, omniroute-ctl and omniroute-model authenticate as a
// Redis 6 ACL user (redis://user:password@host) or with a password alone (requirepass), and wrong
// credentials leave a service NOT_SERVING and make omniroute-ctl fail, saying why. The routing
// replica also serves mTLS, so omniroute-ctl's gRPC commands are shown to reach it over mTLS.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "tests/e2e/e2e_process.h"
#include "tests/e2e/e2e_tls.h"
#include "tests/support/redis_server.h"

namespace omniroute {
namespace {

class RedisAuthE2E : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("omniroute-redis-auth"); }
  void TearDown() override {
    for (auto& p : services_) p->Signal(SIGKILL);
    services_.clear();
    redis_.reset();
    (void)std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  // Runs an omniroute executable (name without the "omniroute-" prefix) with `args`.
  e2e::CommandResult Run(const std::string& exe, std::vector<std::string> args) {
    args.insert(args.begin(), testing::BinDir() + "/omniroute-" + exe);
    return e2e::RunCommand(args, {}, "", dir_);
  }
  // Starts a service; returns its gRPC port.
  int Start(const std::string& service, const std::string& redis_url,
            std::vector<std::string> flags = {}) {
    int port = 0;
    auto p = e2e::StartService(service, std::move(flags), redis_url, dir_, &port);
    if (p) services_.push_back(std::move(p));
    return port;
  }
  int HealthWithin15s(int port, std::vector<std::string> tls_flags = {}) {
    return e2e::HealthWithin(port, std::move(tls_flags), dir_, 15).code;
  }
  std::string Url(const std::string& credentials) const {
    return "redis://" + credentials + "@127.0.0.1:" + std::to_string(redis_->port());
  }

  std::string dir_;
  std::unique_ptr<testing::RedisServer> redis_ = std::make_unique<testing::RedisServer>();
  std::vector<std::unique_ptr<testing::Process>> services_;
};

TEST_F(RedisAuthE2E, ServicesAndCtlAuthenticateAsAnAclUserAndCtlReachesRoutingOverMutualTls) {
  {
    auto admin = redis_->Connect();
    auto r = admin->Command({"ACL", "SETUSER", "omniroute", "on", ">s3cret", "~*", "&*", "+@all"});
    ASSERT_TRUE(r.ok() && !r->is_error()) << (r.ok() ? r->str : r.status().ToString());
    r = admin->Command({"ACL", "SETUSER", "default", "off"});  // nobody gets in unnamed
    ASSERT_TRUE(r.ok() && !r->is_error());
  }
  e2e::Certs("ca " + dir_ + " ca");
  e2e::Certs("server " + dir_ + " ca server");
  e2e::Certs("client " + dir_ + " ca client");
  const std::vector<std::string> client_tls = {"--tls-ca=" + dir_ + "/ca.pem",
                                               "--tls-cert=" + dir_ + "/client.pem",
                                               "--tls-key=" + dir_ + "/client.key"};

  int routing = Start("routing", Url("omniroute:s3cret"),
                      {"--tls-cert=" + dir_ + "/server.pem", "--tls-key=" + dir_ + "/server.key",
                       "--tls-client-ca=" + dir_ + "/ca.pem"});
  int intake = Start("intake", Url("omniroute:s3cret"));
  ASSERT_TRUE(routing != 0 && intake != 0);
  EXPECT_EQ(HealthWithin15s(routing, client_tls), 0) << services_[0]->ReadLog();
  EXPECT_EQ(HealthWithin15s(intake), 0) << services_[1]->ReadLog();

  auto key = Run("ctl", {"keys", "create", "--redis-url=" + Url("omniroute:s3cret"),
                         "--tenant=acme", "--roles=admin", "--name=ops"});
  ASSERT_EQ(key.code, 0) << key.err;
  std::vector<std::string> list = {"queues", "list",
                                   "--routing-addr=127.0.0.1:" + std::to_string(routing),
                                   "--api-key=" + std::string(absl::StripAsciiWhitespace(key.out))};
  auto plain = Run("ctl", list);
  EXPECT_EQ(plain.code, 1) << plain.out;  // unreachable without TLS
  list.insert(list.end(), client_tls.begin(), client_tls.end());
  auto listed = Run("ctl", list);
  EXPECT_EQ(listed.code, 0) << listed.err;  // the key was read from Redis as the ACL user
  EXPECT_NE(listed.out.find("NAME"), std::string::npos) << listed.out;

  // omniroute-model reads Redis with the same URL.
  auto corrections = Run("model", {"corrections", "--tenant", "acme", "--out", dir_ + "/c.csv",
                                   "--redis-url", Url("omniroute:s3cret")});
  EXPECT_EQ(corrections.code, 0) << corrections.err;
  EXPECT_EQ(Run("model", {"corrections", "--tenant", "acme", "--out", dir_ + "/c.csv",
                          "--redis-url", Url("omniroute:wrong")})
                .code,
            2);
  for (const std::string& bad : {std::string("omniroute:wrong"), std::string(":s3cret")}) {
    auto refused = Run("ctl", {"keys", "list", "--redis-url=" + Url(bad), "--tenant=acme"});
    EXPECT_EQ(refused.code, 1) << bad << ": " << refused.out;
    EXPECT_NE(refused.err.find("AUTH"), std::string::npos) << refused.err;
  }
  // A replica with a wrong password runs but never becomes ready.
  int wrong = Start("intake", Url("omniroute:wrong"));
  ASSERT_NE(wrong, 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(Run("health", {"--addr=127.0.0.1:" + std::to_string(wrong)}).code, 1);
  EXPECT_TRUE(services_.back()->Running());
}

TEST_F(RedisAuthE2E, ServicesAuthenticateWithAPasswordAlone) {
  {
    auto admin = redis_->Connect();
    auto r = admin->Command({"CONFIG", "SET", "requirepass", "pa55"});
    ASSERT_TRUE(r.ok() && !r->is_error());
  }
  int intake = Start("intake", Url(":pa55"));
  ASSERT_NE(intake, 0);
  EXPECT_EQ(HealthWithin15s(intake), 0) << services_[0]->ReadLog();
  auto key = Run(
      "ctl", {"keys", "create", "--redis-url=" + Url(":pa55"), "--tenant=acme", "--roles=admin"});
  EXPECT_EQ(key.code, 0) << key.err;
  auto refused = Run("ctl", {"keys", "list", "--redis-url=" + Url(":nope"), "--tenant=acme"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("AUTH"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace omniroute
