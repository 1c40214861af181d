// TLS and mTLS on a service's gRPC port, as clients see it: plaintext and clients trusting
// another CA are refused, mTLS refuses a client without a certificate (or with one from another
// CA), and a certificate rotated on disk is served to new connections without a restart.
#include "services/common/grpc/tls.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/e2e/e2e_process.h"
#include "tests/e2e/e2e_tls.h"
#include "tests/support/redis_server.h"

namespace omniroute {
namespace {

using grpc::health::v1::HealthCheckResponse;

// One intake process with TLS flags, and the files of two CAs in a temporary directory: "ca"
// signs the server certificate and "other" is a CA the server never uses.
class TlsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("omniroute-tls");
    e2e::Certs("ca " + dir_ + " ca");
    e2e::Certs("ca " + dir_ + " other");
    e2e::Certs("server " + dir_ + " ca server");
    e2e::Certs("client " + dir_ + " ca client");
    e2e::Certs("client " + dir_ + " other stranger");
  }
  void TearDown() override {
    if (intake_) intake_->Signal(SIGKILL);
    intake_.reset();
    redis_.reset();
    (void)std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  std::string File(const std::string& name) const { return dir_ + "/" + name; }

  // Starts intake with `flags` added.
  void StartIntake(std::vector<std::string> flags) {
    intake_ = e2e::StartService("intake", std::move(flags), redis_->url(), dir_, &port_);
    ASSERT_NE(intake_, nullptr);
  }

  // grpc.health.v1 Check over a new connection (no subchannel shared with earlier checks)
  // with the given client files; plaintext when `files` enables nothing.
  grpc::Status Check(const tls::ClientFiles& files, HealthCheckResponse* resp = nullptr) {
    auto creds = tls::ChannelCredentials(files);
    EXPECT_TRUE(creds.ok()) << creds.status();
    if (!creds.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no credentials");
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto stub = grpc::health::v1::Health::NewStub(
        grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port_), *creds, args));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    HealthCheckResponse ignored;
    return stub->Check(&ctx, {}, resp != nullptr ? resp : &ignored);
  }
  tls::ClientFiles Trusting(const std::string& ca) const {
    tls::ClientFiles f;
    f.ca_file = File(ca + ".pem");
    return f;
  }
  tls::ClientFiles WithCert(tls::ClientFiles f, const std::string& name) const {
    f.cert_file = File(name + ".pem");
    f.key_file = File(name + ".key");
    return f;
  }
  std::vector<std::string> ServerFlags() const {
    return {"--tls-cert=" + File("server.pem"), "--tls-key=" + File("server.key")};
  }

  std::string dir_;
  std::unique_ptr<testing::RedisServer> redis_ = std::make_unique<testing::RedisServer>();
  std::unique_ptr<testing::Process> intake_;
  int port_ = 0;
};

TEST_F(TlsE2E, TlsPortServesTrustingClientsAndRefusesPlaintextAndOtherCas) {
  StartIntake(ServerFlags());
  // Readiness follows Redis: poll until SERVING.
  HealthCheckResponse resp;
  grpc::Status ok;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!(ok = Check(Trusting("ca"), &resp)).ok() ||
         resp.status() != HealthCheckResponse::SERVING) {
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(ok.ok()) << ok.error_message() << "\n" << intake_->ReadLog();
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);

  auto plain = Check(tls::ClientFiles{});
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE) << plain.error_message();
  auto other = Check(Trusting("other"));
  EXPECT_EQ(other.error_code(), grpc::StatusCode::UNAVAILABLE) << other.error_message();
  // Without a client CA the server does not ask for certificates: one is simply not used.
  EXPECT_TRUE(Check(WithCert(Trusting("ca"), "stranger")).ok());
  EXPECT_TRUE(intake_->Running());
}

// The HTTP/JSON port speaks plain HTTP: with TLS on the gRPC port it stays off (and says why)
// unless TLS is declared terminated in front of it.
TEST_F(TlsE2E, HttpPortIsOffWithTlsUnlessPlaintextIsAllowed) {
  const int http_port = testing::FreePort();
  const std::string url =
      "http://127.0.0.1:" + std::to_string(http_port) + "/omniroute.v1.Intake/GetInteraction";
  auto curl = [&] {
    return e2e::RunCommand({"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X",
                            "POST", "-H", "Content-Type: application/json", "-d", "{}", url},
                           {}, "", dir_);
  };
  auto flags = ServerFlags();
  flags.push_back("--http-port=" + std::to_string(http_port));
  StartIntake(flags);
  auto off = curl();
  EXPECT_EQ(off.out, "000") << off.out;  // nothing listens
  EXPECT_NE(intake_->ReadLog().find("--http-allow-plaintext"), std::string::npos)
      << intake_->ReadLog();
  intake_->Signal(SIGKILL);
  intake_->Wait(5000);

  flags.push_back("--http-allow-plaintext");
  StartIntake(flags);
  auto on = curl();
  EXPECT_EQ(on.out, "401") << on.out;  // served: no API key given
}

TEST_F(TlsE2E, MutualTlsRefusesClientsWithoutACertificateTheClientCaSigned) {
  auto flags = ServerFlags();
  flags.push_back("--tls-client-ca=" + File("ca.pem"));
  StartIntake(flags);
  auto ok = Check(WithCert(Trusting("ca"), "client"));
  EXPECT_TRUE(ok.ok()) << ok.error_message() << "\n" << intake_->ReadLog();

  auto no_cert = Check(Trusting("ca"));
  EXPECT_EQ(no_cert.error_code(), grpc::StatusCode::UNAVAILABLE) << no_cert.error_message();
  auto stranger = Check(WithCert(Trusting("ca"), "stranger"));
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::UNAVAILABLE) << stranger.error_message();
  EXPECT_EQ(Check(tls::ClientFiles{}).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsE2E, ACertificateRotatedOnDiskIsServedWithoutARestart) {
  auto flags = ServerFlags();
  flags.push_back("--tls-refresh-seconds=1");
  StartIntake(flags);
  const pid_t pid = intake_->pid();
  ASSERT_TRUE(Check(Trusting("ca")).ok()) << intake_->ReadLog();
  ASSERT_FALSE(Check(Trusting("other")).ok());

  // The new certificate comes from the other CA: only clients trusting it accept it.
  e2e::Certs("server " + dir_ + " other server");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  bool rotated = false;
  while (!rotated && std::chrono::steady_clock::now() < deadline) {
    rotated = Check(Trusting("other")).ok();
    if (!rotated) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(rotated) << "the new certificate was not served within 15 s\n" << intake_->ReadLog();
  EXPECT_EQ(Check(Trusting("ca")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(intake_->Running());
  EXPECT_EQ(intake_->pid(), pid);
}

TEST_F(TlsE2E, BadTlsFlagsStopTheServiceWithAnErrorNamingTheFlag) {
  struct Case {
    std::vector<std::string> flags;
    std::string error;
  };
  std::vector<Case> cases = {
      {{"--tls-cert=" + File("server.pem")}, "--tls-cert: given without --tls-key"},
      {{"--tls-key=" + File("server.key")}, "--tls-key: given without --tls-cert"},
      {{"--tls-client-ca=" + File("ca.pem")}, "--tls-client-ca"},
      {{"--tls-cert=" + File("missing.pem"), "--tls-key=" + File("server.key")},
       "--tls-cert: cannot read"},
      {{"--tls-cert=" + File("junk.txt"), "--tls-key=" + File("server.key")},
       "--tls-cert: '" + File("junk.txt") + "' holds no PEM block"},
      {{"--tls-cert=" + File("server.pem"), "--tls-key=" + File("client.key")},
       "--tls-key: is not the key of the --tls-cert certificate"},
      {{"--tls-cert=" + File("server.pem"), "--tls-key=" + File("server.key"),
        "--tls-client-ca=" + File("missing.pem")},
       "--tls-client-ca: cannot read"},
      {{"--tls-cert=" + File("server.pem"), "--tls-key=" + File("server.key"),
        "--tls-refresh-seconds=0"},
       "--tls-refresh-seconds: must be 1..86400"},
  };
  (void)std::system(("echo not a certificate > '" + File("junk.txt") + "'").c_str());
  for (const auto& c : cases) {
    std::vector<std::string> argv = {testing::BinDir() + "/omniroute-intake",
                                     "--redis-url=" + redis_->url()};
    argv.insert(argv.end(), c.flags.begin(), c.flags.end());
    auto r = e2e::RunCommand(argv, {}, "", dir_, 10000);
    EXPECT_EQ(r.code, 2) << c.error << "\n" << r.err;
    EXPECT_NE(r.err.find(c.error), std::string::npos) << r.err;
  }
}

TEST_F(TlsE2E, HealthProbeToolSpeaksTlsAndMutualTls) {
  auto flags = ServerFlags();
  flags.push_back("--tls-client-ca=" + File("ca.pem"));
  StartIntake(flags);
  const std::string addr = "--addr=127.0.0.1:" + std::to_string(port_);
  const std::string health = testing::BinDir() + "/omniroute-health";
  // Readiness follows Redis: poll until the probe passes.
  auto ok = e2e::HealthWithin(port_,
                              {"--tls-ca=" + File("ca.pem"), "--tls-cert=" + File("client.pem"),
                               "--tls-key=" + File("client.key")},
                              dir_, 15);
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("SERVING"), std::string::npos);

  // The same through the environment, as a container's HEALTHCHECK sees it when the service
  // gets its files as OMNIROUTE_TLS_CERT / OMNIROUTE_TLS_KEY and OMNIROUTE_TLS_CA is added.
  auto env = e2e::RunCommand({health, addr},
                             {{"OMNIROUTE_TLS_CA", File("ca.pem")},
                              {"OMNIROUTE_TLS_CERT", File("client.pem")},
                              {"OMNIROUTE_TLS_KEY", File("client.key")}},
                             "", dir_);
  EXPECT_EQ(env.code, 0) << env.err;
  auto no_cert = e2e::RunCommand({health, addr, "--tls-ca=" + File("ca.pem")}, {}, "", dir_);
  EXPECT_EQ(no_cert.code, 1) << no_cert.out;
  auto plain = e2e::RunCommand({health, addr}, {}, "", dir_);
  EXPECT_EQ(plain.code, 1) << plain.out;
  auto bad = e2e::RunCommand({health, addr, "--tls-ca=" + File("missing.pem")}, {}, "", dir_);
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("--tls-ca: cannot read"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace omniroute
