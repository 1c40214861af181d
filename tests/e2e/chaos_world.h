// The world of a chaos test: a private redis-server with AOF (appendfsync always), two replicas
// of every service, one tenant with a chat queue, simulated agents and a submitter (real gRPC
// clients spreading their calls over the replicas), and the end of the run: stop submitting,
// wait until every acknowledged interaction is completed, audit the ledger and print it.
#pragma once

#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tests/e2e/chaos_clients.h"
#include "tests/e2e/chaos_ledger.h"
#include "tests/support/cluster.h"

namespace omniroute::e2e {

struct ChaosOptions {
  std::string name;         // the ledger line's label, e.g. "redis-restart"
  int agents = 24;          // each with chat capacity 2 or 3
  double rate = 60;         // Submits per second
  int submit_threads = 12;  // Submits in flight at most
  ChaosClientOptions client;
  // The bounded wait, after submitting stops, for every acknowledged interaction to complete.
  std::chrono::seconds drain{60};
  // > 0: a Redis Cluster of this many masters, one replica each, instead of one redis-server
  // with AOF (appendfsync always).
  int redis_cluster_masters = 0;
  std::vector<std::string> extra_intake_flags;
  // Finish() checks nothing was lost, duplicated or left stuck; false for a run that shows what
  // a fault costs (it still checks the calls' codes and deadlines).
  bool expect_no_loss = true;
};

class ChaosWorld {
 public:
  // Starts everything but the submitter; throws when the cluster does not come up.
  explicit ChaosWorld(ChaosOptions options);
  ~ChaosWorld();

  testing::Cluster& cluster() { return *cluster_; }
  const std::string& tenant() const { return tenant_; }
  Ledger& ledger() { return ledger_; }
  std::mt19937_64& rng() { return rng_; }
  // Agents logged in (false: the test should stop).
  bool ready() const { return ready_; }

  void StartSubmitting();
  // Lets the load run for `d` (the replicas and Redis keep working or failing meanwhile).
  static void Run(std::chrono::milliseconds d);

  // Faults on one replica; each waits (bounded) until it serves again on the same ports.
  // False (with a test failure) when it did not come back.
  bool KillAndRelaunch(testing::Replica& r);
  bool TerminateAndRelaunch(testing::Replica& r);

  // Stops submitting, waits for the drain, stops the agents, audits the ledger against Redis,
  // prints the ledger line (and the details behind any non-zero figure) and checks it: nothing
  // lost, duplicated or stuck, no Submit given up, no failed call with a code other than
  // UNAVAILABLE / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED or past its deadline.
  LedgerReport Finish();

 private:
  bool WaitBack(testing::Replica& r);

  ChaosOptions options_;
  std::unique_ptr<testing::Cluster> cluster_;
  std::string tenant_;
  std::map<std::string, std::string> keys_;
  Ledger ledger_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<ChaosAgent>> agents_;
  std::unique_ptr<ChaosSubmitter> submitter_;
  bool ready_ = false;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace omniroute::e2e
