// omniroute-health, the probe behind every image's HEALTHCHECK, against real service processes:
// SERVING is exit 0, a dead port or an unknown service name is exit 1, a server whose Redis died
// is exit 1 until Redis is back, bad flags are exit 2.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"
#include "tests/support/free_port.h"
#include "tests/support/process.h"

namespace omniroute {
namespace {

// Runs omniroute-health as a process, its output in a temporary directory removed at the end.
class HealthProbe {
 public:
  HealthProbe() : dir_(testing::MakeTempDir("omniroute-health")) {}
  ~HealthProbe() { std::filesystem::remove_all(dir_); }

  // Exit code of `omniroute-health args...` (-1 if it ran past 10 s); its stdout and stderr go
  // to *output.
  int Run(const std::vector<std::string>& args, std::string* output = nullptr) {
    testing::Process p(testing::BinDir() + "/omniroute-health", args,
                       dir_ + "/run-" + std::to_string(runs_++) + ".log");
    int code = p.Wait(10000);
    if (output != nullptr) *output = p.ReadLog();
    return code;
  }

 private:
  std::string dir_;
  int runs_ = 0;
};

TEST(HealthProbeE2E, ServingIsZeroDeadPortAndUnknownServiceAreOne) {
  testing::Cluster cluster;
  HealthProbe probe;
  const std::vector<std::pair<std::string, std::string>> names = {
      {"intake", "omniroute.v1.Intake"},
      {"classification", "omniroute.v1.Classifier"},
      {"routing", "omniroute.v1.Routing"},
      {"routing", "omniroute.v1.Admin"}};
  for (const auto& [service, name] : names) {
    std::string out;
    const std::string addr = cluster.Replicas(service)[0]->address();
    EXPECT_EQ(probe.Run({"--addr", addr, "--service", name}, &out), 0) << name << ": " << out;
    EXPECT_EQ(probe.Run({"--addr=" + addr}, &out), 0) << service << " (whole server): " << out;
  }

  std::string out;
  const std::string routing = cluster.Replicas("routing")[0]->address();
  EXPECT_EQ(probe.Run({"--addr", routing, "--service", "omniroute.v1.Nope"}, &out), 1) << out;
  EXPECT_NE(out.find("unknown service"), std::string::npos) << out;

  const std::string dead = "127.0.0.1:" + std::to_string(testing::FreePort());
  EXPECT_EQ(probe.Run({"--addr", dead, "--timeout-ms", "500"}, &out), 1) << out;
  EXPECT_NE(out.find(dead), std::string::npos) << out;
}

TEST(HealthProbeE2E, NotServingWhileRedisIsDown) {
  testing::Cluster cluster;
  HealthProbe probe;
  const std::vector<std::string> args = {"--addr", cluster.Replicas("routing")[0]->address(),
                                         "--service", "omniroute.v1.Routing"};
  ASSERT_EQ(probe.Run(args), 0);
  cluster.redis().process().Signal(SIGKILL);
  std::string out;
  EXPECT_TRUE(e2e::WaitFor([&] { return probe.Run(args, &out) == 1; }, std::chrono::seconds(10)))
      << "still exit 0 10 s after Redis died";
  EXPECT_NE(out.find("NOT_SERVING"), std::string::npos) << out;
  cluster.redis().Restart();
  EXPECT_TRUE(e2e::WaitFor([&] { return probe.Run(args) == 0; }, std::chrono::seconds(10)))
      << "not exit 0 10 s after Redis came back";
}

TEST(HealthProbeE2E, BadFlagsAreTwo) {
  HealthProbe probe;
  std::string out;
  EXPECT_EQ(probe.Run({"--bogus", "1"}, &out), 2) << out;
  EXPECT_NE(out.find("unknown flag --bogus"), std::string::npos) << out;
  EXPECT_EQ(probe.Run({"--timeout-ms", "soon"}, &out), 2) << out;
  EXPECT_EQ(probe.Run({"--timeout-ms", "0"}, &out), 2) << out;
  EXPECT_EQ(probe.Run({"--addr", ""}, &out), 2) << out;
}

}  // namespace
}  // namespace omniroute
