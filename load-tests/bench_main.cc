// omniroute-bench: end-to-end routing throughput and submit->offer latency of omniroute, printed
// beside a raw-Redis baseline (redis-benchmark running EVALSHA of a minimal enqueue-and-match
// script) measured against the same redis-server in the same run. Prints figures, never
// pass/fail. See load-tests/README.md.
//
// It starts a private redis-server and one replica of each service on free loopback ports (or
// uses the ones given by --redis-url and --intake/--classification/--routing), creates a
// tenant with one queue and enough agents that agents are not the bottleneck (each offer is
// accepted and completed at once), then, per round, submits --interactions interactions as
// fast as intake takes them (SubmitInteractions batches on --concurrency threads) and records
// for every interaction the submit-ack time and the arrival of its offer at the agent.
#include <signal.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "load-tests/bench_agents.h"
#include "load-tests/redis_baseline.h"
#include "services/common/config/flags.h"
#include "services/common/grpc/auth.h"
#include "services/common/ids.h"
#include "services/common/redis/redis_client.h"
#include "tests/support/free_port.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"
#include "tools/sim/api_client.h"
#include "tools/sim/traffic.h"

namespace omniroute::bench {
namespace {

std::atomic<bool> g_interrupted{false};

void OnSignal(int) { g_interrupted.store(true); }

struct Config {
  int interactions = 20000;
  int batch = 100;
  int concurrency = 4;
  int rate = 0;
  int rounds = 3;
  int warmup = 500;
  int agents = 0;
  int agent_capacity = 50;
  std::string channels = "chat,email,messaging";
  int settle_threads = 16;
  std::string settle = "immediate";
  int round_timeout_seconds = 120;
  int raw_requests = 100000;
  int raw_clients = 50;
  int raw_pipeline = 16;
  int raw_keyspace = 100000;
  bool skip_raw = false;
  std::string redis_benchmark = "/usr/bin/redis-benchmark";
  std::string baseline_script;
  std::string redis_url;
  bool redis_aof = false;
  std::string intake, classification, routing;
  std::string intake_flags, classification_flags, routing_flags;
  std::string bin_dir;
  std::string tenant;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Nearest-rank percentile of sorted values (p in 0..100); NaN when empty.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::nan("");
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

double Median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string Fmt(double v, int decimals) {
  if (std::isnan(v)) return "n/a";
  return absl::StrFormat("%.*f", decimals, v);
}

std::vector<std::string> SplitArgs(const std::string& s) {
  return absl::StrSplit(s, absl::ByAnyChar(" \t"), absl::SkipEmpty());
}

bool WaitUntil(const std::function<bool()>& done, Clock::time_point deadline) {
  while (!done()) {
    if (Clock::now() >= deadline || g_interrupted.load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

absl::StatusOr<std::vector<v1::Channel>> ParseChannels(const std::string& csv) {
  std::vector<v1::Channel> out;
  for (absl::string_view name : absl::StrSplit(csv, ',', absl::SkipEmpty())) {
    v1::Channel c;
    if (!v1::Channel_Parse("CHANNEL_" + absl::AsciiStrToUpper(name), &c) ||
        c == v1::CHANNEL_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat("--channels: unknown channel '", name, "'"));
    }
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  if (out.empty()) return absl::InvalidArgumentError("--channels: at least one channel");
  return out;
}

std::string ExeDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

// CPU seconds (user + system) of a process, from /proc/<pid>/stat; NaN when unreadable.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nan("");
  std::vector<std::string> f = absl::StrSplit(stat.substr(close + 2), ' ');
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
  double utime = 0, stime = 0;
  if (f.size() < 13 || !absl::SimpleAtod(f[11], &utime) || !absl::SimpleAtod(f[12], &stime)) {
    return std::nan("");
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Redis-side counters: CPU of redis-server, EVALSHA calls and time, and every command executed
// (Redis counts the commands run inside scripts too).
struct RedisCounters {
  double cpu_seconds = std::nan("");
  int64_t evalsha_calls = 0;
  int64_t evalsha_usec = 0;
  int64_t all_calls = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> commands;  // name -> (calls, usec)
  std::string version;
};

RedisCounters ReadRedisCounters(redis::Connection& conn) {
  RedisCounters c;
  auto r = conn.Command({"INFO", "all"});
  if (!r.ok() || r->is_error()) return c;
  double user = 0, sys = 0;
  for (absl::string_view line :
       absl::StrSplit(r->str, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
    if (kv.first == "used_cpu_user") (void)absl::SimpleAtod(kv.second, &user);
    if (kv.first == "used_cpu_sys") (void)absl::SimpleAtod(kv.second, &sys);
    if (kv.first == "redis_version") c.version = kv.second;
    if (kv.first.rfind("cmdstat_", 0) != 0) continue;
    int64_t calls = 0, usec = 0;
    for (absl::string_view part : absl::StrSplit(kv.second, ',')) {
      std::pair<std::string, std::string> p = absl::StrSplit(part, absl::MaxSplits('=', 1));
      if (p.first == "calls") (void)absl::SimpleAtoi(p.second, &calls);
      if (p.first == "usec") (void)absl::SimpleAtoi(p.second, &usec);
    }
    c.all_calls += calls;
    c.commands[kv.first.substr(8)] = {calls, usec};
    if (kv.first == "cmdstat_evalsha") {
      c.evalsha_calls = calls;
      c.evalsha_usec = usec;
    }
  }
  c.cpu_seconds = user + sys;
  return c;
}

// redis-server and the three services: started here, or the ones given by flags.
class Services {
 public:
  static absl::StatusOr<std::unique_ptr<Services>> Start(const Config& cfg) {
    auto s = std::unique_ptr<Services>(new Services());
    s->dir_ = testing::MakeTempDir("omniroute-bench");
    std::string redis_url = cfg.redis_url;
    if (redis_url.empty()) {
      s->redis_server_ = std::make_unique<testing::RedisServer>(cfg.redis_aof);
      redis_url = s->redis_server_->url();
    }
    auto endpoint = redis::ParseUrl(redis_url);
    if (!endpoint.ok()) return endpoint.status();
    s->redis_endpoint_ = *endpoint;
    s->redis_description_ = s->redis_server_
                                ? absl::StrCat(redis_url, " (private, started here",
                                               cfg.redis_aof ? ", AOF always" : "", ")")
                                : absl::StrCat(redis_url, " (given)");
    if (!cfg.intake.empty()) {
      s->endpoints_ = {cfg.intake, cfg.classification, cfg.routing};
      s->services_description_ = "given";
      return s;
    }
    std::map<std::string, std::string> extra = {{"intake", cfg.intake_flags},
                                                {"classification", cfg.classification_flags},
                                                {"routing", cfg.routing_flags}};
    std::map<std::string, std::string> address;
    for (const char* service : {"intake", "classification", "routing"}) {
      int port = testing::FreePort();
      std::vector<std::string> args = {"--redis-url=" + redis_url, "--bind=127.0.0.1",
                                       absl::StrCat("--grpc-port=", port),
                                       absl::StrCat("--metrics-port=", testing::FreePort())};
      for (auto& a : SplitArgs(extra[service])) args.push_back(a);
      std::string binary = absl::StrCat(cfg.bin_dir, "/omniroute-", service);
      if (access(binary.c_str(), X_OK) != 0) {
        return absl::NotFoundError(absl::StrCat(binary, " not found (build first, or --bin-dir)"));
      }
      s->pids_[service] = 0;
      s->procs_.push_back(std::make_unique<testing::Process>(
          binary, args, absl::StrCat(s->dir_, "/", service, ".log")));
      s->pids_[service] = s->procs_.back()->pid();
      address[service] = absl::StrCat("127.0.0.1:", port);
    }
    s->endpoints_ = {address["intake"], address["classification"], address["routing"]};
    s->services_description_ = "private, one replica each, started here";
    // Wait (at most 20 s) until every service reports SERVING.
    sim::ApiClient api(s->endpoints_);
    auto deadline = Clock::now() + std::chrono::seconds(20);
    int i = 0;
    for (const char* service : {"intake", "classification", "routing"}) {
      auto& proc = *s->procs_[i++];
      bool serving = false;
      while (!serving && Clock::now() < deadline && !g_interrupted.load()) {
        if (!proc.Running()) break;
        serving = api.Serving(service);
        if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (!serving) {
        return absl::UnavailableError(absl::StrCat(service, " did not become SERVING; log:\n",
                                                   proc.ReadLog().substr(0, 4000)));
      }
    }
    return s;
  }

  ~Services() {
    for (auto& p : procs_) p->Signal(SIGKILL);
    for (auto& p : procs_) p->Wait(5000);
    procs_.clear();
    redis_server_.reset();
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)std::system(cmd.c_str());
  }

  const sim::Endpoints& endpoints() const { return endpoints_; }
  const redis::Endpoint& redis_endpoint() const { return redis_endpoint_; }
  const std::map<std::string, pid_t>& pids() const { return pids_; }
  bool private_redis() const { return redis_server_ != nullptr; }
  const std::string& dir() const { return dir_; }
  const std::string& redis_description() const { return redis_description_; }
  const std::string& services_description() const { return services_description_; }

 private:
  Services() = default;
  std::string dir_;
  std::unique_ptr<testing::RedisServer> redis_server_;
  std::vector<std::unique_ptr<testing::Process>> procs_;
  std::map<std::string, pid_t> pids_;
  redis::Endpoint redis_endpoint_;
  sim::Endpoints endpoints_;
  std::string redis_description_, services_description_;
};

struct Keys {
  std::string integrator, agent, admin;
};

absl::StatusOr<Keys> CreateTenant(const redis::Endpoint& endpoint, const std::string& tenant) {
  auto conn = redis::Connection::Open(endpoint, std::chrono::milliseconds(5000));
  if (!conn.ok()) return conn.status();
  Keys keys;
  auto integrator = CreateApiKey(**conn, tenant, {Role::kIntegrator}, "bench");
  auto agent = CreateApiKey(**conn, tenant, {Role::kAgent}, "bench");
  auto admin = CreateApiKey(**conn, tenant, {Role::kAdmin}, "bench");
  if (!integrator.ok()) return integrator.status();
  if (!agent.ok()) return agent.status();
  if (!admin.ok()) return admin.status();
  return Keys{*integrator, *agent, *admin};
}

// One queue taking every bench channel, three keyword rules (with skill requirements every
// bench agent meets) and the queue as the tenant default.
absl::Status ConfigureTenant(sim::ApiClient& api, const std::string& admin_key,
                             const std::vector<v1::Channel>& channels) {
  v1::PutQueueRequest q;
  auto* queue = q.mutable_queue();
  queue->set_name("bench");
  for (auto c : channels) queue->add_channels(c);
  queue->set_sla_threshold_seconds(20);
  queue->set_sla_target_percent(80);
  queue->set_offer_timeout_seconds(60);
  v1::PutQueueResponse qr;
  auto st = api.admin().PutQueue(sim::ApiClient::Context(admin_key).get(), q, &qr);
  if (!st.ok()) return absl::InternalError("PutQueue: " + st.error_message());

  v1::PutTenantConfigRequest c;
  auto* config = c.mutable_config();
  struct Rule {
    const char* name;
    std::vector<const char*> keywords;
    v1::Priority priority;
  };
  for (const Rule& r : {Rule{"billing", {"bill", "charged", "invoice", "refund"}, v1::PRIORITY_P2},
                        Rule{"cards", {"card", "fraud"}, v1::PRIORITY_P1},
                        Rule{"access", {"password", "locked"}, v1::PRIORITY_P3}}) {
    auto* rule = config->add_rules();
    rule->set_name(r.name);
    for (const char* k : r.keywords) rule->add_keywords(k);
    rule->set_category(r.name);
    rule->set_priority(r.priority);
    auto* skill = rule->add_required_skills();
    skill->set_name(r.name);
    skill->set_proficiency(2);
    rule->set_queue("bench");
  }
  config->set_default_queue("bench");
  v1::PutTenantConfigResponse cr;
  st = api.admin().PutTenantConfig(sim::ApiClient::Context(admin_key).get(), c, &cr);
  if (!st.ok()) return absl::InternalError("PutTenantConfig: " + st.error_message());
  return absl::OkStatus();
}

struct SubmitRecord {
  std::string id;
  Clock::time_point sent, acked;
};

struct SubmitPhase {
  std::vector<SubmitRecord> ok;
  int64_t failed_items = 0;
  int64_t failed_calls = 0;
  std::string first_error;
};

// Submits `total` interactions in batches on cfg.concurrency threads, as fast as intake answers
// (or at cfg.rate per second). Transient failures are retried (at most 5 attempts) with the same
// idempotency keys, so a retry never duplicates.
SubmitPhase SubmitAll(sim::ApiClient& api, const std::string& key, const Config& cfg,
                      const std::vector<v1::Channel>& channels, int total,
                      const std::string& key_prefix, Clock::time_point deadline) {
  const int batch = std::clamp(cfg.batch, 1, 500);
  const int batches = (total + batch - 1) / batch;
  std::atomic<int> next{0};
  std::vector<SubmitPhase> per_thread(std::max(1, cfg.concurrency));
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (size_t t = 0; t < per_thread.size(); ++t) {
    threads.emplace_back([&, t] {
      SubmitPhase& out = per_thread[t];
      std::mt19937_64 rng(1000 + t);
      const auto& subjects = sim::SampleSubjects();
      for (int b = next.fetch_add(1); b < batches; b = next.fetch_add(1)) {
        if (g_interrupted.load() || Clock::now() >= deadline) break;
        if (cfg.rate > 0) {
          std::this_thread::sleep_until(
              start + std::chrono::microseconds(static_cast<int64_t>(
                          static_cast<double>(b) * batch * 1e6 / static_cast<double>(cfg.rate))));
        }
        v1::SubmitInteractionsRequest req;
        int first = b * batch, n = std::min(batch, total - first);
        for (int i = first; i < first + n; ++i) {
          auto* item = req.add_interactions();
          item->set_channel(channels[rng() % channels.size()]);
          item->set_customer_id(absl::StrCat("cust-", rng() % 1000));
          item->set_subject(subjects[rng() % subjects.size()]);
          item->set_body(absl::StrCat("Benchmark message ", i));
          item->set_idempotency_key(absl::StrCat(key_prefix, "-", i));
        }
        v1::SubmitInteractionsResponse resp;
        grpc::Status st;
        auto sent = Clock::now();
        for (int attempt = 0; attempt < 5; ++attempt) {
          auto ctx = sim::ApiClient::Context(key, std::chrono::seconds(30));
          st = api.intake().SubmitInteractions(ctx.get(), req, &resp);
          bool transient = st.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                           st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
          if (st.ok() || !transient || g_interrupted.load()) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
        }
        auto acked = Clock::now();
        if (!st.ok()) {
          ++out.failed_calls;
          out.failed_items += n;
          if (out.first_error.empty()) out.first_error = st.error_message();
          continue;
        }
        for (const auto& r : resp.results()) {
          if (r.code() == 0) {
            out.ok.push_back({r.interaction_id(), sent, acked});
          } else {
            ++out.failed_items;
            if (out.first_error.empty()) out.first_error = r.message();
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  SubmitPhase all;
  for (auto& p : per_thread) {
    all.failed_items += p.failed_items;
    all.failed_calls += p.failed_calls;
    if (all.first_error.empty()) all.first_error = p.first_error;
    for (auto& r : p.ok) all.ok.push_back(std::move(r));
  }
  return all;
}

struct RoundResult {
  int64_t submitted = 0, failed = 0, routed = 0, early = 0;
  double seconds = 0;
  double intake_per_s = std::nan(""), routed_per_s = std::nan("");
  double p50 = std::nan(""), p90 = std::nan(""), p99 = std::nan(""), max = std::nan("");
  double raw_p1 = std::nan(""), raw_pn = std::nan("");
  double raw_p1_p50 = std::nan(""), raw_pn_p50 = std::nan("");
  // Per routed interaction during the omniroute phase (submit .. all settled).
  double redis_cpu_us = std::nan(""), redis_evalsha = std::nan(""), redis_cmds = std::nan("");
  double redis_evalsha_us = std::nan("");
  std::map<std::string, double> cpu_us;  // per process
  double redis_busy = std::nan("");      // Redis CPU / wall time
  std::string top_commands;              // Redis commands by time, per routed interaction
  int64_t max_held = 0;                  // most offers held by agents (not yet completed) at once
  double cpu_total_busy = std::nan("");  // all processes' CPU / wall time (cores)
  // CPU per routed interaction (us) from the first submit until every offer arrived, by process
  // ("redis" included); the rest of cpu_us was spent settling the offers still held.
  std::map<std::string, double> cpu_us_to_offer;
};

// CPU seconds so far of redis-server (INFO), every started service and the bench itself.
std::map<std::string, double> CpuNow(const Services& services, redis::Connection* conn) {
  std::map<std::string, double> cpu;
  if (conn != nullptr) {
    auto r = conn->Command({"INFO", "cpu"});
    double user = 0, sys = 0;
    if (r.ok() && !r->is_error()) {
      for (absl::string_view line :
           absl::StrSplit(r->str, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
        std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
        if (kv.first == "used_cpu_user") (void)absl::SimpleAtod(kv.second, &user);
        if (kv.first == "used_cpu_sys") (void)absl::SimpleAtod(kv.second, &sys);
      }
      cpu["redis"] = user + sys;
    }
  }
  for (const auto& [name, pid] : services.pids()) cpu[name] = ProcessCpuSeconds(pid);
  cpu["bench"] = SelfCpuSeconds();
  return cpu;
}

// Submits `total` interactions and waits until each got an offer (or the deadline).
RoundResult MeasureOmniroute(sim::ApiClient& api, const Keys& keys, const Config& cfg,
                             const std::vector<v1::Channel>& channels, int total,
                             const std::string& key_prefix, OfferLog& log, Settler& settler,
                             const Services& services, redis::Connection* stats_conn) {
  RoundResult r;
  (void)log.Take();
  auto deadline = Clock::now() + std::chrono::seconds(cfg.round_timeout_seconds);
  RedisCounters redis_before;
  if (stats_conn != nullptr) redis_before = ReadRedisCounters(*stats_conn);
  std::map<std::string, double> cpu_before;
  for (const auto& [name, pid] : services.pids()) cpu_before[name] = ProcessCpuSeconds(pid);
  cpu_before["bench"] = SelfCpuSeconds();
  auto cpu_start = CpuNow(services, stats_conn);
  auto wall_start = Clock::now();

  bool after_round = cfg.settle == "after-round";
  if (after_round) settler.Pause();
  // Samples how many offers the agents hold (offered, not yet completed) every 10 ms.
  std::atomic<bool> sampling{true};
  std::atomic<int64_t> max_held{0};
  std::thread sampler([&] {
    while (sampling.load()) {
      int64_t held = settler.pending();
      if (held > max_held.load()) max_held.store(held);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  SubmitPhase phase = SubmitAll(api, keys.integrator, cfg, channels, total, key_prefix, deadline);
  r.failed = phase.failed_items;
  if (!phase.first_error.empty()) {
    std::printf("  warning: %lld items not accepted (%lld failed calls); first error: %s\n",
                static_cast<long long>(phase.failed_items),
                static_cast<long long>(phase.failed_calls), phase.first_error.c_str());
  }
  std::unordered_map<std::string, const SubmitRecord*> by_id;
  by_id.reserve(phase.ok.size());
  for (const auto& s : phase.ok) by_id.emplace(s.id, &s);
  r.submitted = static_cast<int64_t>(by_id.size());

  std::unordered_map<std::string, Clock::time_point> offers;
  offers.reserve(by_id.size());
  auto collect = [&] {
    for (auto& [id, at] : log.Take()) {
      if (by_id.count(id)) offers.emplace(id, at);
    }
    return offers.size() >= by_id.size();
  };
  if (!WaitUntil(collect, deadline)) {
    std::printf("  warning: only %zu of %zu interactions got an offer within %d s\n", offers.size(),
                by_id.size(), cfg.round_timeout_seconds);
  }
  auto cpu_offered = CpuNow(services, stats_conn);
  // Let the agents finish accepting and completing (bounded), so the next round starts with
  // every agent's capacity free and the CPU figures include the whole life cycle.
  if (after_round) settler.Resume();
  WaitUntil([&] { return settler.pending() == 0; },
            Clock::now() + std::chrono::seconds(after_round ? cfg.round_timeout_seconds : 30));
  auto wall = Clock::now() - wall_start;
  sampling.store(false);
  sampler.join();
  r.max_held = max_held.load();

  r.routed = static_cast<int64_t>(offers.size());
  if (!phase.ok.empty()) {
    Clock::time_point first_sent = phase.ok.front().sent, last_ack = phase.ok.front().acked;
    for (const auto& s : phase.ok) {
      first_sent = std::min(first_sent, s.sent);
      last_ack = std::max(last_ack, s.acked);
    }
    r.intake_per_s = static_cast<double>(r.submitted) / Seconds(last_ack - first_sent);
    std::vector<double> lat;
    lat.reserve(offers.size());
    Clock::time_point last_offer = first_sent;
    for (const auto& [id, at] : offers) {
      const SubmitRecord* s = by_id[id];
      double ms = Ms(at - s->acked);
      if (ms < 0) {
        ++r.early;  // the offer arrived before the bench saw the submit answer
        ms = 0;
      }
      lat.push_back(ms);
      last_offer = std::max(last_offer, at);
    }
    std::sort(lat.begin(), lat.end());
    r.seconds = Seconds(last_offer - first_sent);
    if (r.routed > 0) r.routed_per_s = static_cast<double>(r.routed) / r.seconds;
    r.p50 = Percentile(lat, 50);
    r.p90 = Percentile(lat, 90);
    r.p99 = Percentile(lat, 99);
    r.max = Percentile(lat, 100);
  }

  double routed = static_cast<double>(std::max<int64_t>(1, r.routed));
  double wall_s = Seconds(wall);
  double total_cpu = 0;
  if (stats_conn != nullptr) {
    RedisCounters after = ReadRedisCounters(*stats_conn);
    r.redis_cpu_us = (after.cpu_seconds - redis_before.cpu_seconds) * 1e6 / routed;
    r.redis_busy = (after.cpu_seconds - redis_before.cpu_seconds) / wall_s;
    total_cpu += after.cpu_seconds - redis_before.cpu_seconds;
    r.redis_evalsha =
        static_cast<double>(after.evalsha_calls - redis_before.evalsha_calls) / routed;
    r.redis_evalsha_us =
        static_cast<double>(after.evalsha_usec - redis_before.evalsha_usec) / routed;
    r.redis_cmds = static_cast<double>(after.all_calls - redis_before.all_calls) / routed;
    std::vector<std::pair<int64_t, std::string>> by_time;
    for (const auto& [name, cu] : after.commands) {
      auto before = redis_before.commands[name];
      by_time.emplace_back(cu.second - before.second, name);
    }
    std::sort(by_time.rbegin(), by_time.rend());
    for (size_t i = 0; i < by_time.size() && i < 8 && by_time[i].first > 0; ++i) {
      const auto& name = by_time[i].second;
      double calls =
          static_cast<double>(after.commands[name].first - redis_before.commands[name].first) /
          routed;
      absl::StrAppend(&r.top_commands, i == 0 ? "" : ", ", name, " ",
                      Fmt(static_cast<double>(by_time[i].first) / routed, 1), " us/", Fmt(calls, 1),
                      " calls");
    }
  }
  for (const auto& [name, pid] : services.pids()) {
    double d = ProcessCpuSeconds(pid) - cpu_before[name];
    r.cpu_us[name] = d * 1e6 / routed;
    total_cpu += d;
  }
  double bench_cpu = SelfCpuSeconds() - cpu_before["bench"];
  r.cpu_us["bench"] = bench_cpu * 1e6 / routed;
  total_cpu += bench_cpu;
  r.cpu_total_busy = total_cpu / wall_s;
  for (const auto& [name, seconds] : cpu_offered) {
    r.cpu_us_to_offer[name] = (seconds - cpu_start[name]) * 1e6 / routed;
  }
  return r;
}

void PrintRound(int round, const RoundResult& r, int64_t slots) {
  std::printf(
      "round %d: %lld submitted, %lld routed in %.2f s -> %s routed/s (intake accepted %s/s); "
      "submit->offer ms p50 %s p90 %s p99 %s max %s",
      round, static_cast<long long>(r.submitted), static_cast<long long>(r.routed), r.seconds,
      Fmt(r.routed_per_s, 0).c_str(), Fmt(r.intake_per_s, 0).c_str(), Fmt(r.p50, 1).c_str(),
      Fmt(r.p90, 1).c_str(), Fmt(r.p99, 1).c_str(), Fmt(r.max, 1).c_str());
  if (r.early > 0) {
    std::printf(" (%lld offer(s) arrived before the submit answer; counted as 0 ms)",
                static_cast<long long>(r.early));
  }
  std::printf("\n");
  std::string cpu;
  for (const char* name : {"intake", "classification", "routing", "bench"}) {
    auto it = r.cpu_us.find(name);
    if (it != r.cpu_us.end()) absl::StrAppend(&cpu, " ", name, " ", Fmt(it->second, 0));
  }
  std::printf(
      "  per routed interaction: redis %s us CPU (%s EVALSHA, %s us inside EVALSHA, %s Redis "
      "commands incl. those run by scripts); CPU us:%s; redis busy %s%%, all processes %s "
      "cores\n",
      Fmt(r.redis_cpu_us, 0).c_str(), Fmt(r.redis_evalsha, 2).c_str(),
      Fmt(r.redis_evalsha_us, 0).c_str(), Fmt(r.redis_cmds, 1).c_str(), cpu.c_str(),
      Fmt(r.redis_busy * 100, 0).c_str(), Fmt(r.cpu_total_busy, 2).c_str());
  std::string to_offer;
  for (const char* name : {"redis", "intake", "classification", "routing", "bench"}) {
    auto it = r.cpu_us_to_offer.find(name);
    if (it != r.cpu_us_to_offer.end())
      absl::StrAppend(&to_offer, " ", name, " ", Fmt(it->second, 0));
  }
  std::printf("  of which until the last offer arrived, CPU us:%s (the rest settled held offers)\n",
              to_offer.c_str());
  if (!r.top_commands.empty()) {
    std::printf("  redis time by command (script-internal commands also count in evalsha): %s\n",
                r.top_commands.c_str());
  }
  std::printf("  agents held at most %lld offers at once (of %lld slots)%s\n",
              static_cast<long long>(r.max_held), static_cast<long long>(slots),
              r.max_held >= slots ? ": agents were a bottleneck" : "");
}

void PrintTable(const Config& cfg, const std::vector<RoundResult>& rounds) {
  std::string pn = absl::StrCat("P", cfg.raw_pipeline);
  std::vector<std::string> header = {"round",      "routed/s",     "p50 ms",   "p90 ms",
                                     "p99 ms",     "max ms",       "raw/s P1", "raw/s " + pn,
                                     "e2e/raw P1", "e2e/raw " + pn};
  auto row = [&](const std::string& name, const std::vector<double>& v) {
    std::vector<std::string> cells = {name,         Fmt(v[0], 0), Fmt(v[1], 1), Fmt(v[2], 1),
                                      Fmt(v[3], 1), Fmt(v[4], 1), Fmt(v[5], 0), Fmt(v[6], 0),
                                      Fmt(v[7], 4), Fmt(v[8], 4)};
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      absl::StrAppend(&line, absl::StrFormat(i == 0 ? "%-7s" : "%14s", cells[i]));
    }
    std::printf("%s\n", line.c_str());
  };
  std::printf("\n== omniroute-bench results ==\n");
  std::string line;
  for (size_t i = 0; i < header.size(); ++i) {
    absl::StrAppend(&line, absl::StrFormat(i == 0 ? "%-7s" : "%14s", header[i]));
  }
  std::printf("%s\n", line.c_str());
  std::vector<std::vector<double>> columns(9);
  for (size_t i = 0; i < rounds.size(); ++i) {
    const auto& r = rounds[i];
    std::vector<double> v = {r.routed_per_s,
                             r.p50,
                             r.p90,
                             r.p99,
                             r.max,
                             r.raw_p1,
                             r.raw_pn,
                             r.routed_per_s / r.raw_p1,
                             r.routed_per_s / r.raw_pn};
    for (size_t c = 0; c < v.size(); ++c) columns[c].push_back(v[c]);
    row(std::to_string(i + 1), v);
  }
  std::vector<double> med;
  for (auto& c : columns) med.push_back(Median(c));
  row("median", med);
  std::printf(
      "routed/s: interactions offered to an agent per second, first submit sent -> last offer "
      "received.\n"
      "p50..max: submit answered -> offer received by the agent, per interaction (wall clock).\n"
      "raw/s: redis-benchmark EVALSHA of baseline_enqueue_match.lua on the same redis-server "
      "(%d clients, no pipelining / pipeline %d).\n"
      "e2e/raw: routed/s divided by raw/s. The median row is the median of each column.\n",
      cfg.raw_clients, cfg.raw_pipeline);
}

std::string FirstLine(const std::string& cmd) {
  FILE* f = popen(cmd.c_str(), "r");
  if (f == nullptr) return "";
  char buf[512] = {0};
  std::string out = fgets(buf, sizeof(buf), f) != nullptr ? buf : "";
  pclose(f);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

int Run(Config cfg) {
  auto channels = ParseChannels(cfg.channels);
  if (!channels.ok()) {
    std::fprintf(stderr, "omniroute-bench: %s\n", std::string(channels.status().message()).c_str());
    return 2;
  }
  if (cfg.settle != "immediate" && cfg.settle != "after-round") {
    std::fprintf(stderr, "omniroute-bench: --settle must be immediate or after-round\n");
    return 2;
  }
  const int channel_count = static_cast<int>(channels->size());
  if (cfg.agents == 0 && cfg.agent_capacity >= 1) {
    // Enough slots for a whole round (plus 10 %), so offers never wait for agent capacity even
    // when accepting and completing falls behind.
    int per_agent = cfg.agent_capacity * channel_count;
    cfg.agents = std::max(
        20,
        static_cast<int>((static_cast<int64_t>(std::max(cfg.interactions, cfg.warmup)) * 11 / 10 +
                          per_agent - 1) /
                         per_agent));
  }
  if (cfg.interactions < 1 || cfg.rounds < 1 || cfg.agents < 1 || cfg.agent_capacity < 1 ||
      cfg.agent_capacity > 50 || cfg.concurrency < 1 || cfg.batch < 1 || cfg.batch > 500 ||
      cfg.raw_pipeline < 1 || cfg.round_timeout_seconds < 1) {
    std::fprintf(stderr,
                 "omniroute-bench: --interactions, --rounds, --agents, --concurrency, "
                 "--raw-pipeline must be >= 1; --batch 1..500; --agent-capacity 1..50\n");
    return 2;
  }
  bool given = !cfg.intake.empty() || !cfg.classification.empty() || !cfg.routing.empty();
  if (given && (cfg.intake.empty() || cfg.classification.empty() || cfg.routing.empty() ||
                cfg.redis_url.empty())) {
    std::fprintf(stderr,
                 "omniroute-bench: with given services, pass all of --intake, --classification, "
                 "--routing and --redis-url\n");
    return 2;
  }
  if (cfg.bin_dir.empty()) cfg.bin_dir = ExeDir();
  std::string script = kBaselineScript;
  if (!cfg.baseline_script.empty()) {
    std::ifstream in(cfg.baseline_script);
    if (!in) {
      std::fprintf(stderr, "omniroute-bench: cannot read %s\n", cfg.baseline_script.c_str());
      return 2;
    }
    script.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bool raw = !cfg.skip_raw;
  if (raw && access(cfg.redis_benchmark.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "omniroute-bench: %s not found (apt-get install redis-tools, or --skip-raw)\n",
                 cfg.redis_benchmark.c_str());
    return 2;
  }

  auto services = Services::Start(cfg);
  if (!services.ok()) {
    std::fprintf(stderr, "omniroute-bench: %s\n", std::string(services.status().message()).c_str());
    return 1;
  }
  Services& svc = **services;
  auto stats_conn = redis::Connection::Open(svc.redis_endpoint(), std::chrono::milliseconds(5000));
  if (!stats_conn.ok()) {
    std::fprintf(stderr, "omniroute-bench: redis: %s\n",
                 std::string(stats_conn.status().message()).c_str());
    return 1;
  }
  RedisCounters info = ReadRedisCounters(**stats_conn);

  RandomIdGenerator ids;
  std::string run_id = ids.NewId().substr(0, 8);
  std::string tenant = cfg.tenant.empty() ? "bench-" + run_id : cfg.tenant;
  auto keys = CreateTenant(svc.redis_endpoint(), tenant);
  if (!keys.ok()) {
    std::fprintf(stderr, "omniroute-bench: %s\n", std::string(keys.status().message()).c_str());
    return 1;
  }
  sim::ApiClient api(svc.endpoints());
  if (auto st = ConfigureTenant(api, keys->admin, *channels); !st.ok()) {
    std::fprintf(stderr, "omniroute-bench: %s\n", std::string(st.message()).c_str());
    return 1;
  }

  utsname u{};
  uname(&u);
  std::printf("omniroute-bench %s\n", FirstLine("date -u '+%Y-%m-%d %H:%M:%S UTC'").c_str());
  std::printf("machine: %ld cores (%s %s), load average %s\n", sysconf(_SC_NPROCESSORS_ONLN),
              u.sysname, u.machine, FirstLine("cut -d' ' -f1-3 /proc/loadavg").c_str());
  std::printf("redis: %s, version %s\n", svc.redis_description().c_str(), info.version.c_str());
  std::printf("services: %s (intake %s, classification %s, routing %s)\n",
              svc.services_description().c_str(), svc.endpoints().intake.c_str(),
              svc.endpoints().classification.c_str(), svc.endpoints().routing.c_str());
  std::string pace = cfg.rate > 0 ? absl::StrCat(" at ", cfg.rate, "/s") : " as fast as accepted";
  std::printf(
      "workload: tenant %s, queue 'bench' (%s), %d agents x capacity %d per channel (%d slots), "
      "accept + complete %s on %d threads; %d interactions per round in batches of %d on %d "
      "threads%s; %d rounds after a warm-up of %d\n",
      tenant.c_str(), cfg.channels.c_str(), cfg.agents, cfg.agent_capacity,
      cfg.agents * cfg.agent_capacity * channel_count,
      cfg.settle == "immediate" ? "at once" : "after each round", cfg.settle_threads,
      cfg.interactions, cfg.batch, cfg.concurrency, pace.c_str(), cfg.rounds, cfg.warmup);

  OfferLog log;
  Settler settler(&api, keys->agent, cfg.settle_threads);
  std::map<v1::Channel, int> capacity;
  for (auto c : *channels) capacity[c] = cfg.agent_capacity;
  std::map<std::string, int> skills = {{"billing", 3}, {"cards", 3}, {"access", 3}};
  std::vector<std::unique_ptr<WatchingAgent>> agents;
  int rc = 0;
  for (int i = 0; i < cfg.agents && rc == 0; ++i) {
    agents.push_back(std::make_unique<WatchingAgent>(&api, keys->agent, absl::StrCat("agent-", i),
                                                     capacity, skills, &log, &settler));
    if (auto st = agents.back()->Start(); !st.ok()) {
      std::fprintf(stderr, "omniroute-bench: %s\n", std::string(st.message()).c_str());
      rc = 1;
    }
  }

  std::unique_ptr<RedisBaseline> baseline;
  if (rc == 0 && raw) {
    RedisBaseline::Options o;
    o.redis_benchmark = cfg.redis_benchmark;
    o.requests = cfg.raw_requests;
    o.clients = cfg.raw_clients;
    o.keyspace = cfg.raw_keyspace;
    baseline = std::make_unique<RedisBaseline>(svc.redis_endpoint(), script, svc.dir(), o);
    if (auto st = baseline->Prepare(); !st.ok()) {
      std::fprintf(stderr, "omniroute-bench: baseline: %s\n", std::string(st.message()).c_str());
      rc = 1;
    } else {
      std::printf("raw baseline: redis-benchmark %s\n",
                  absl::StrJoin(baseline->Args(cfg.raw_pipeline), " ").c_str());
    }
  }

  // Warm-up: the consumers discover the new tenant (within a second), connections and caches
  // fill. Not measured.
  if (rc == 0 && cfg.warmup > 0) {
    auto w = MeasureOmniroute(api, *keys, cfg, *channels, cfg.warmup, run_id + "-warmup", log,
                              settler, svc, nullptr);
    std::printf("warm-up: %lld of %lld routed\n", static_cast<long long>(w.routed),
                static_cast<long long>(w.submitted));
    if (w.routed == 0) {
      std::fprintf(stderr, "omniroute-bench: nothing was routed during the warm-up\n");
      rc = 1;
    }
  }

  std::vector<RoundResult> results;
  for (int round = 1; rc == 0 && round <= cfg.rounds && !g_interrupted.load(); ++round) {
    RoundResult r =
        MeasureOmniroute(api, *keys, cfg, *channels, cfg.interactions,
                         absl::StrCat(run_id, "-r", round), log, settler, svc, stats_conn->get());
    PrintRound(round, r, static_cast<int64_t>(cfg.agents) * cfg.agent_capacity * channel_count);
    if (baseline && !g_interrupted.load()) {
      auto p1 = baseline->Run(1);
      auto pn = baseline->Run(cfg.raw_pipeline);
      if (p1.ok()) {
        r.raw_p1 = p1->rps;
        r.raw_p1_p50 = p1->p50_ms;
      } else {
        std::printf("  raw baseline (no pipelining) failed: %s\n",
                    std::string(p1.status().message()).c_str());
      }
      if (pn.ok()) {
        r.raw_pn = pn->rps;
        r.raw_pn_p50 = pn->p50_ms;
      } else {
        std::printf("  raw baseline (pipeline %d) failed: %s\n", cfg.raw_pipeline,
                    std::string(pn.status().message()).c_str());
      }
      std::printf("  raw EVALSHA: %s/s (p50 %s ms) no pipelining, %s/s (p50 %s ms) pipeline %d\n",
                  Fmt(r.raw_p1, 0).c_str(), Fmt(r.raw_p1_p50, 2).c_str(), Fmt(r.raw_pn, 0).c_str(),
                  Fmt(r.raw_pn_p50, 2).c_str(), cfg.raw_pipeline);
    }
    std::fflush(stdout);
    results.push_back(r);
  }

  if (!results.empty()) PrintTable(cfg, results);
  SettleStats s = settler.Stats();
  int64_t rescinded = 0, reconnects = 0;
  for (auto& a : agents) {
    a->StopWatching();
    rescinded += a->rescinded();
    reconnects += a->reconnects();
  }
  settler.Stop();
  for (auto& a : agents) a->LogOut();
  if (!results.empty()) {
    std::printf(
        "agents: %lld accepted, %lld accept failures, %lld completed, %lld complete failures, "
        "%lld duplicate offers, %lld rescinded, %lld watch reconnects\n",
        static_cast<long long>(s.accepted), static_cast<long long>(s.accept_failed),
        static_cast<long long>(s.completed), static_cast<long long>(s.complete_failed),
        static_cast<long long>(log.duplicates()), static_cast<long long>(rescinded),
        static_cast<long long>(reconnects));
  }
  if (baseline && !svc.private_redis()) baseline->Cleanup();
  if (g_interrupted.load()) {
    std::fprintf(stderr, "omniroute-bench: interrupted\n");
    return 130;
  }
  return rc;
}

}  // namespace
}  // namespace omniroute::bench

int main(int argc, char** argv) {
  using omniroute::bench::Config;
  Config cfg;
  omniroute::config::Flags flags("omniroute-bench");
  flags.Add("interactions", &cfg.interactions, "interactions submitted per measured round");
  flags.Add("batch", &cfg.batch, "interactions per SubmitInteractions call (1..500)");
  flags.Add("concurrency", &cfg.concurrency, "threads submitting batches at once");
  flags.Add("rate", &cfg.rate, "submitted interactions per second (0 = as fast as accepted)");
  flags.Add("rounds", &cfg.rounds, "measured rounds (each followed by the raw baseline)");
  flags.Add("warmup", &cfg.warmup, "interactions submitted before the first round (not measured)");
  flags.Add("agents", &cfg.agents,
            "simulated agents, each following its offers (0 = enough capacity for a whole round)");
  flags.Add("agent-capacity", &cfg.agent_capacity, "capacity of each agent per channel (1..50)");
  flags.Add("channels", &cfg.channels,
            "channels of the bench queue and of the traffic (voice,chat,email,sms,messaging,...)");
  flags.Add("settle-threads", &cfg.settle_threads, "threads accepting and completing offers");
  flags.Add("settle", &cfg.settle,
            "immediate: accept + complete each offer as it arrives (the full life cycle under "
            "load); after-round: agents hold their offers until every offer of the round arrived "
            "(routing alone), then settle them");
  flags.Add("round-timeout-seconds", &cfg.round_timeout_seconds,
            "longest a round waits for its offers");
  flags.Add("raw-requests", &cfg.raw_requests, "redis-benchmark -n of each baseline run");
  flags.Add("raw-clients", &cfg.raw_clients, "redis-benchmark -c of each baseline run");
  flags.Add("raw-pipeline", &cfg.raw_pipeline, "redis-benchmark -P of the pipelined baseline run");
  flags.Add("raw-keyspace", &cfg.raw_keyspace, "redis-benchmark -r (distinct baseline item ids)");
  flags.Add("skip-raw", &cfg.skip_raw, "skip the redis-benchmark baseline");
  flags.Add("redis-benchmark", &cfg.redis_benchmark, "path of redis-benchmark");
  flags.Add("baseline-script", &cfg.baseline_script,
            "Lua file for the baseline (default: the embedded baseline_enqueue_match.lua)");
  flags.Add("redis-url", &cfg.redis_url,
            "use this Redis instead of starting one (redis://[:password@]host:port[/db])");
  flags.Add("redis-aof", &cfg.redis_aof, "start the private Redis with AOF, appendfsync always");
  flags.Add("intake", &cfg.intake,
            "address of a running intake (with --classification, "
            "--routing and --redis-url; empty = start the services)");
  flags.Add("classification", &cfg.classification, "address of a running classification");
  flags.Add("routing", &cfg.routing, "address of a running routing");
  flags.Add("intake-flags", &cfg.intake_flags, "extra flags for the started intake");
  flags.Add("classification-flags", &cfg.classification_flags,
            "extra flags for the started classification (e.g. '--workers=2')");
  flags.Add("routing-flags", &cfg.routing_flags, "extra flags for the started routing");
  flags.Add("bin-dir", &cfg.bin_dir,
            "directory of the omniroute-* executables (default: this executable's)");
  flags.Add("tenant", &cfg.tenant, "tenant id (default: bench-<random>)");
  if (auto st = flags.Parse(argc, argv); !st.ok()) {
    std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
    return st.code() == absl::StatusCode::kNotFound ? 0 : 2;
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = omniroute::bench::OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  try {
    return omniroute::bench::Run(cfg);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "omniroute-bench: %s\n", e.what());
    return 1;
  }
}
