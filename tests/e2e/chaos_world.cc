#include "tests/e2e/chaos_world.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/e2e/e2e_grpc.h"
#include "tests/e2e/e2e_util.h"

namespace omniroute::e2e {

namespace {

testing::ClusterOptions ChaosCluster(const ChaosOptions& options) {
  testing::ClusterOptions o;
  o.replicas = 2;
  o.redis_aof = options.redis_cluster_masters == 0;  // appendfsync always
  o.redis_cluster_masters = options.redis_cluster_masters;
  o.redis_cluster_replicas = options.redis_cluster_masters > 0 ? 1 : 0;
  o.extra_intake_flags = options.extra_intake_flags;
  // Entries stranded on a killed consumer are reclaimed after 3 s instead of 30 s, and an
  // agent who missed an offer during a fault is skipped for it only briefly.
  o.extra_routing_flags = {"--reclaim-idle-ms=3000", "--skip-ms=500"};
  o.extra_classification_flags = {"--reclaim-idle-ms=3000"};
  return o;
}

std::vector<std::string> Addresses(testing::Cluster& c, const std::string& service) {
  std::vector<std::string> out;
  for (auto* r : c.Replicas(service)) out.push_back(r->address());
  return out;
}

}  // namespace

ChaosWorld::ChaosWorld(ChaosOptions options)
    : options_(std::move(options)),
      cluster_(std::make_unique<testing::Cluster>(ChaosCluster(options_))),
      tenant_("chaos"),
      rng_(std::random_device{}()),
      started_(std::chrono::steady_clock::now()) {
  keys_ = cluster_->CreateTenant(tenant_);
  sim::ApiClient api(cluster_->endpoints());
  auto st = PutQueue(api, keys_["admin"], "chat", {v1::CHANNEL_CHAT},
                     /*offer_timeout_seconds=*/3);
  EXPECT_TRUE(st.ok()) << st.error_message();
  v1::TenantConfig config;
  config.set_default_queue("chat");
  st = PutConfig(api, keys_["admin"], config);
  EXPECT_TRUE(st.ok()) << st.error_message();
  if (::testing::Test::HasFailure()) return;
  for (int i = 0; i < options_.agents; ++i) {
    char id[32];
    std::snprintf(id, sizeof(id), "agent-%02d", i);
    // Half the agents' desktops check the replicas' health, half do not.
    agents_.push_back(std::make_unique<ChaosAgent>(
        ReplicaChannel(Addresses(*cluster_, "routing"), i % 2 == 0), keys_["agent"], id, 2 + i % 2,
        rng_(), options_.client, &ledger_));
    if (!agents_.back()->Start()) {
      ADD_FAILURE() << id << " could not log in";
      return;
    }
  }
  ready_ = true;
}

ChaosWorld::~ChaosWorld() {
  if (submitter_) submitter_->Stop();
  for (auto& a : agents_) a->Stop();
}

void ChaosWorld::StartSubmitting() {
  submitter_ = std::make_unique<ChaosSubmitter>(
      std::vector<std::shared_ptr<grpc::Channel>>{
          ReplicaChannel(Addresses(*cluster_, "intake"), true),
          ReplicaChannel(Addresses(*cluster_, "intake"), false)},
      keys_["integrator"], "chaos-" + options_.name, options_.rate, options_.submit_threads,
      options_.client, &ledger_);
  submitter_->Start();
}

void ChaosWorld::Run(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

bool ChaosWorld::WaitBack(testing::Replica& r) {
  cluster_->Relaunch(r);
  // A port may stay busy for a moment after the old process died: try twice.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (cluster_->WaitServing(r, 20000)) return true;
    if (r.process->Running()) break;
    cluster_->Relaunch(r);
  }
  ADD_FAILURE() << r.service << " on " << r.address() << " did not serve again; log:\n"
                << r.process->ReadLog();
  return false;
}

bool ChaosWorld::KillAndRelaunch(testing::Replica& r) {
  EXPECT_TRUE(r.process->Signal(SIGKILL)) << r.service << " was not running";
  EXPECT_EQ(r.process->Wait(5000), 128 + SIGKILL);
  return WaitBack(r);
}

bool ChaosWorld::TerminateAndRelaunch(testing::Replica& r) {
  EXPECT_TRUE(r.process->Signal(SIGTERM)) << r.service << " was not running";
  int code = r.process->Wait(20000);
  EXPECT_EQ(code, 0) << r.service << " on " << r.address()
                     << " did not drain and exit 0 (-1: still running after 20 s)";
  if (code == -1) r.process->Signal(SIGKILL);
  return WaitBack(r);
}

LedgerReport ChaosWorld::Finish() {
  if (submitter_) submitter_->Stop();
  auto drain_started = std::chrono::steady_clock::now();
  bool drained = WaitFor([&] { return ledger_.AllCompleted(); }, options_.drain,
                         std::chrono::milliseconds(100));
  double drain_s = SecondsSince(drain_started);
  for (auto& a : agents_) a->Stop();
  auto redis = cluster_->ConnectRedis();
  LedgerReport report = ledger_.Audit(*redis, tenant_);
  const std::string tag = "chaos[" + options_.name + "]:   ";
  std::string text = report.Line(options_.name) + "\n";
  absl::StrAppendFormat(&text, "%sdrained %s in %.1fs, run %.1fs\n", tag,
                        drained ? "all" : "NOT all", drain_s, SecondsSince(started_));
  for (const auto& d : report.details) absl::StrAppend(&text, tag, d, "\n");
  for (size_t i = 0; i < report.unexpected.size() && i < 20; ++i) {
    absl::StrAppend(&text, tag, "unexpected ", report.unexpected[i], "\n");
  }
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  // `make test` prints these files after CTest, which shows a passing test's output only in
  // verbose mode.
  std::string dir = testing::BinDir() + "/../chaos";
  mkdir(dir.c_str(), 0755);
  std::ofstream(dir + "/" + options_.name + ".txt") << text;
  EXPECT_GT(report.acked, static_cast<int64_t>(options_.rate * 10))
      << "too little load to prove anything";
  if (options_.expect_no_loss) {
    EXPECT_EQ(report.lost, 0) << "acknowledged interactions never completed";
    EXPECT_EQ(report.duplicated, 0);
    EXPECT_EQ(report.stuck, 0) << "work left in a non-terminal state or load held for nothing";
  }
  EXPECT_EQ(report.gave_up, 0) << "Submits retried for " << options_.client.retry_for.count()
                               << " ms without an answer";
  EXPECT_TRUE(report.unexpected.empty())
      << report.unexpected.size() << " calls failed with another code or after their deadline";
  if (::testing::Test::HasFailure()) {
    // The services' and Redis's logs, for the evidence behind a failure.
    std::string logs = dir + "/" + options_.name + "-logs";
    std::string redis_log = options_.redis_cluster_masters > 0
                                ? std::string()
                                : "'" + cluster_->redis().process().log_path() + "' ";
    std::string cmd = "rm -rf '" + logs + "' && mkdir -p '" + logs + "' && cp '" + cluster_->dir() +
                      "'/*.log " + redis_log + "'" + logs + "/' 2>/dev/null";
    if (std::system(cmd.c_str()) == 0) std::printf("%slogs in %s\n", tag.c_str(), logs.c_str());
  }
  return report;
}

}  // namespace omniroute::e2e
