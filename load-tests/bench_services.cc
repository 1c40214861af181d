#include "load-tests/bench_services.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/free_port.h"

namespace omniroute::bench {
namespace {

std::vector<std::string> SplitArgs(const std::string& s) {
  return absl::StrSplit(s, absl::ByAnyChar(" \t"), absl::SkipEmpty());
}

}  // namespace

absl::StatusOr<std::unique_ptr<Services>> Services::Start(const Config& cfg,
                                                          const std::atomic<bool>& interrupted) {
  auto s = std::unique_ptr<Services>(new Services());
  s->dir_ = testing::MakeTempDir("omniroute-bench");
  std::string redis_url = cfg.redis_url;
  if (cfg.redis_cluster_masters > 0) {
    try {
      s->redis_cluster_ = std::make_unique<testing::RedisCluster>(cfg.redis_cluster_masters,
                                                                  cfg.redis_cluster_replicas);
    } catch (const std::exception& e) {
      return absl::UnavailableError(absl::StrCat("redis cluster: ", e.what()));
    }
    redis_url = "redis+cluster://" + s->redis_cluster_->Seeds();
  } else if (redis_url.empty()) {
    s->redis_server_ = std::make_unique<testing::RedisServer>(cfg.redis_aof);
    redis_url = s->redis_server_->url();
  }
  auto endpoint = redis::ParseUrl(redis_url);
  if (!endpoint.ok()) return endpoint.status();
  s->redis_endpoint_ = *endpoint;
  if (s->redis_cluster_) {
    const int r = cfg.redis_cluster_replicas;
    s->redis_description_ = absl::StrCat(
        redis_url, " (private Redis Cluster of ", cfg.redis_cluster_masters, " masters ",
        r == 0 ? "without replicas"
               : absl::StrCat("with ", r, " replica", r == 1 ? "" : "s", " each"),
        ", started here)");
  } else {
    s->redis_description_ = s->redis_server_
                                ? absl::StrCat(redis_url, " (private, started here",
                                               cfg.redis_aof ? ", AOF always" : "", ")")
                                : absl::StrCat(redis::RedactUrl(redis_url), " (given)");
  }
  auto credentials = tls::ChannelCredentials(cfg.tls);
  if (!credentials.ok()) return credentials.status();
  s->credentials_ = *credentials;
  if (!cfg.intake.empty()) {
    s->endpoints_ = {cfg.intake, cfg.classification, cfg.routing, s->credentials_,
                     cfg.tls.server_name};
    s->services_description_ = "given";
    return s;
  }
  if (auto st = s->StartServices(cfg, redis_url, interrupted); !st.ok()) return st;
  return s;
}

absl::Status Services::StartServices(const Config& cfg, const std::string& redis_url,
                                     const std::atomic<bool>& interrupted) {
  std::map<std::string, std::string> extra = {{"intake", cfg.intake_flags},
                                              {"classification", cfg.classification_flags},
                                              {"routing", cfg.routing_flags}};
  std::map<std::string, std::string> address;
  for (const char* service : {"intake", "classification", "routing"}) {
    int port = testing::FreePort(), http_port = testing::FreePort();
    std::vector<std::string> args = {"--redis-url=" + redis_url, "--bind=127.0.0.1",
                                     absl::StrCat("--grpc-port=", port),
                                     absl::StrCat("--metrics-port=", testing::FreePort())};
    // The HTTP ports only when a round submits over HTTP. Otherwise they are off through the
    // environment (OMNIROUTE_HTTP_PORT, which the children inherit): an older build measured
    // beside this one (ab-bench.sh) has no --http-port flag and would refuse it.
    if (absl::StrContains(cfg.submit_via, "http")) {
      args.push_back(absl::StrCat("--http-port=", http_port));
      if (std::string(service) == "intake") intake_http_ = absl::StrCat("127.0.0.1:", http_port);
    } else {
      setenv("OMNIROUTE_HTTP_PORT", "-1", 1);
    }
    for (auto& a : SplitArgs(extra[service])) args.push_back(a);
    std::string binary = absl::StrCat(cfg.bin_dir, "/omniroute-", service);
    if (access(binary.c_str(), X_OK) != 0) {
      return absl::NotFoundError(absl::StrCat(binary, " not found (build first, or --bin-dir)"));
    }
    procs_.push_back(
        std::make_unique<testing::Process>(binary, args, absl::StrCat(dir_, "/", service, ".log")));
    pids_[service] = procs_.back()->pid();
    address[service] = absl::StrCat("127.0.0.1:", port);
  }
  endpoints_ = {address["intake"], address["classification"], address["routing"], credentials_,
                cfg.tls.server_name};
  services_description_ = "private, one replica each, started here";
  for (const auto& [service, flags] : extra) {
    if (!flags.empty()) absl::StrAppend(&services_description_, "; ", service, " flags: ", flags);
  }
  sim::ApiClient api(endpoints_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int i = 0;
  for (const char* service : {"intake", "classification", "routing"}) {
    auto& proc = *procs_[i++];
    bool serving = false;
    while (!serving && std::chrono::steady_clock::now() < deadline && !interrupted.load()) {
      if (!proc.Running()) break;
      serving = api.Serving(service);
      if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!serving) {
      return absl::UnavailableError(
          absl::StrCat(service, " did not become SERVING; log:\n", proc.ReadLog().substr(0, 4000)));
    }
  }
  return absl::OkStatus();
}

Services::~Services() {
  for (auto& p : procs_) p->Signal(SIGKILL);
  for (auto& p : procs_) p->Wait(5000);
  procs_.clear();
  redis_server_.reset();
  redis_cluster_.reset();
  std::string cmd = "rm -rf '" + dir_ + "'";
  (void)std::system(cmd.c_str());
}

}  // namespace omniroute::bench
