// Redis over TLS the way the Helm chart does it (redis.tls): the services' Redis client has no
// TLS, so a stunnel client (Debian's stunnel4) on loopback carries plain Redis over verified
// TLS, with a client certificate, to a redis-server that accepts only TLS. The stunnel config
// has the directives of the chart's ConfigMap (templates/redis-tls.yaml).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_process.h"
#include "tests/e2e/e2e_tls.h"

namespace omniroute {
namespace {

class RedisTlsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(access("/usr/bin/stunnel", X_OK), 0)
        << "stunnel is missing (Debian package stunnel4; run scripts/install-deps.sh)";
    dir_ = testing::MakeTempDir("omniroute-redis-tls");
    e2e::Certs("ca " + dir_ + " ca");
    e2e::Certs("ca " + dir_ + " other");
    e2e::Certs("server " + dir_ + " ca redis");
    e2e::Certs("client " + dir_ + " ca svc");
    redis_port_ = testing::FreePort();
    redis_ =
        std::make_unique<testing::Process>("/usr/bin/redis-server",
                                           std::vector<std::string>{"--port",
                                                                    "0",
                                                                    "--tls-port",
                                                                    std::to_string(redis_port_),
                                                                    "--bind",
                                                                    "127.0.0.1",
                                                                    "--tls-cert-file",
                                                                    dir_ + "/redis.pem",
                                                                    "--tls-key-file",
                                                                    dir_ + "/redis.key",
                                                                    "--tls-ca-cert-file",
                                                                    dir_ + "/ca.pem",
                                                                    "--tls-auth-clients",
                                                                    "yes",
                                                                    "--save",
                                                                    "",
                                                                    "--appendonly",
                                                                    "no",
                                                                    "--dir",
                                                                    dir_,
                                                                    "--logfile",
                                                                    ""},
                                           dir_ + "/redis.log");
    ASSERT_TRUE(e2e::WaitAccepts(*redis_, redis_port_, 10)) << redis_->ReadLog();
  }
  void TearDown() override {
    for (auto* p : {&intake_, &stunnel_, &redis_}) {
      if (*p) (*p)->Signal(SIGKILL);
      p->reset();
    }
    (void)std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  // Starts stunnel in client mode trusting `ca`; returns its loopback port.
  int StartStunnel(const std::string& ca) {
    int port = testing::FreePort();
    std::ofstream(dir_ + "/stunnel.conf")
        << "foreground = yes\npid =\ndebug = notice\n[redis]\nclient = yes\n"
        << "accept = 127.0.0.1:" << port << "\nconnect = 127.0.0.1:" << redis_port_ << "\n"
        << "CAfile = " << dir_ << "/" << ca << ".pem\nverifyChain = yes\ncheckHost = localhost\n"
        << "cert = " << dir_ << "/svc.pem\nkey = " << dir_ << "/svc.key\n";
    stunnel_ = std::make_unique<testing::Process>("/usr/bin/stunnel",
                                                  std::vector<std::string>{dir_ + "/stunnel.conf"},
                                                  dir_ + "/stunnel.log");
    EXPECT_TRUE(e2e::WaitAccepts(*stunnel_, port, 10)) << stunnel_->ReadLog();
    return port;
  }
  // omniroute-health's exit code for intake at `redis_url`, polled up to `seconds` for 0.
  int IntakeHealth(const std::string& redis_url, int seconds) {
    int port = 0;
    intake_ = e2e::StartService("intake", {}, redis_url, dir_, &port);
    if (!intake_) return -1;
    return e2e::HealthWithin(port, {}, dir_, seconds).code;
  }
  e2e::CommandResult CreateKey(const std::string& redis_url) {
    return e2e::RunCommand({testing::BinDir() + "/omniroute-ctl", "keys", "create",
                            "--redis-url=" + redis_url, "--tenant=acme", "--roles=admin"},
                           {}, "", dir_);
  }

  std::string dir_;
  int redis_port_ = 0;
  std::unique_ptr<testing::Process> redis_, stunnel_, intake_;
};

TEST_F(RedisTlsE2E, ServicesAndCtlReachATlsOnlyRedisThroughStunnel) {
  const std::string url = "redis://127.0.0.1:" + std::to_string(StartStunnel("ca"));
  EXPECT_EQ(IntakeHealth(url, 15), 0) << intake_->ReadLog() << stunnel_->ReadLog();
  auto key = CreateKey(url);
  EXPECT_EQ(key.code, 0) << key.err;
  EXPECT_FALSE(key.out.empty());
}

TEST_F(RedisTlsE2E, PlainRedisToTheTlsPortAndStunnelDistrustingRedisAreRefused) {
  const std::string direct = "redis://127.0.0.1:" + std::to_string(redis_port_);
  EXPECT_EQ(CreateKey(direct).code, 1);
  // stunnel trusting another CA refuses Redis' certificate: nothing gets through.
  const std::string distrusting = "redis://127.0.0.1:" + std::to_string(StartStunnel("other"));
  EXPECT_EQ(CreateKey(distrusting).code, 1);
  EXPECT_EQ(IntakeHealth(distrusting, 3), 1);
  EXPECT_TRUE(intake_->Running());
}

}  // namespace
}  // namespace omniroute
