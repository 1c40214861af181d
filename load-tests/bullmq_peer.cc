#include "load-tests/bullmq_peer.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/support/process.h"

namespace omniroute::bench {
namespace {

using Clock = std::chrono::steady_clock;
using google::protobuf::Struct;

// The absolute path of `name` on PATH; "" when it is not there.
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path == nullptr ? "" : path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// The last non-empty line of `text` (for one-line error messages).
std::string LastLine(const std::string& text) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(text, absl::ByAnyChar("\r\n"), absl::SkipWhitespace());
  return lines.empty() ? "(no output)" : std::string(lines.back());
}

// The "version" of a package.json; "?" when unreadable.
std::string PackageVersion(const std::string& package_json) {
  std::ifstream in(package_json);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  Struct s;
  if (!google::protobuf::util::JsonStringToMessage(text, &s, opts).ok()) return "?";
  auto it = s.fields().find("version");
  return it == s.fields().end() ? "?" : it->second.string_value();
}

// The first {"event": `event`} line the script printed, or an {"event":"error"} line.
bool FindEvent(const std::string& output, const std::string& event, Struct* found) {
  for (absl::string_view line : absl::StrSplit(output, '\n', absl::SkipWhitespace())) {
    if (!absl::StartsWith(line, "{\"event\"")) continue;
    Struct s;
    if (!google::protobuf::util::JsonStringToMessage(std::string(line), &s).ok()) continue;
    const std::string& name = s.fields().at("event").string_value();
    if (name == event || name == "error") {
      *found = std::move(s);
      return true;
    }
  }
  return false;
}

double Number(const Struct& s, const std::string& field) {
  auto it = s.fields().find(field);
  return it == s.fields().end() || !it->second.has_number_value() ? std::nan("")
                                                                  : it->second.number_value();
}

// The counters read when the script reached a step.
struct Snapshot {
  Struct event;
  RedisCounters redis;
  double node_cpu = std::nan("");
  Clock::time_point at;
};

}  // namespace

BullmqPeer::BullmqPeer(redis::Endpoint endpoint, std::string work_dir, Options options)
    : endpoint_(std::move(endpoint)),
      work_dir_(std::move(work_dir)),
      options_(std::move(options)) {}

absl::Status BullmqPeer::Prepare() {
  node_path_ =
      options_.node.find('/') == std::string::npos ? FindOnPath(options_.node) : options_.node;
  if (node_path_.empty() || access(node_path_.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(options_.node, " not found (install Node.js >= 18 and npm, or --node PATH)"));
  }
  std::string log = absl::StrCat(work_dir_, "/bullmq-install.out");
  testing::Process install("/bin/bash", {options_.dir + "/install.sh"}, log);
  int code = install.Wait(600 * 1000);
  if (code != 0) {
    if (code == -1) install.Signal(SIGKILL);
    return absl::UnavailableError(code == -1 ? "npm install ran longer than 600 s"
                                             : LastLine(install.ReadLog()));
  }
  std::string node_log = absl::StrCat(work_dir_, "/node-version.out");
  testing::Process version(node_path_, {"--version"}, node_log);
  std::string node_version = version.Wait(10000) == 0 ? LastLine(version.ReadLog()) : "?";
  std::string modules = options_.dir + "/node_modules/";
  versions_ = absl::StrCat("node ", node_version, ", bullmq ",
                           PackageVersion(modules + "bullmq/package.json"), " (ioredis ",
                           PackageVersion(modules + "ioredis/package.json"), ")");
  return absl::OkStatus();
}

std::string BullmqPeer::Describe() const {
  auto keep = [](int n) { return n < 0 ? std::string("all") : absl::StrCat("the last ", n); };
  return absl::StrCat(versions_, ", no-op Worker with concurrency ", options_.concurrency,
                      ", keeps ", keep(options_.keep_completed), " completed and ",
                      keep(options_.keep_failed), " failed jobs, warm-up ", options_.warmup,
                      " jobs");
}

PeerResult BullmqPeer::Run(int jobs, const std::string& queue, redis::Connection& stats,
                           const std::atomic<bool>& interrupted) {
  PeerResult r;
  r.jobs = jobs;
  auto deadline = Clock::now() + std::chrono::seconds(options_.timeout_seconds);

  // omniroute's idle background traffic, for the reader to weigh against the BullMQ figures.
  RedisCounters idle0 = ReadRedisCounters(stats);
  auto idle_start = Clock::now();
  while (Clock::now() - idle_start < std::chrono::seconds(1) && !interrupted.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  RedisCounters idle1 = ReadRedisCounters(stats);
  double idle_s = std::chrono::duration<double>(Clock::now() - idle_start).count();
  r.idle_cmds_per_s = static_cast<double>(idle1.all_calls - idle0.all_calls) / idle_s;
  r.idle_cpu_us_per_s = (idle1.cpu_seconds - idle0.cpu_seconds) * 1e6 / idle_s;

  std::vector<std::string> args = {options_.dir + "/noop-worker.js"};
  if (!endpoint_.unix_path.empty()) {
    args.insert(args.end(), {"--path", endpoint_.unix_path});
  } else {
    args.insert(args.end(), {"--host", endpoint_.host, "--port", std::to_string(endpoint_.port)});
  }
  if (!endpoint_.username.empty()) args.insert(args.end(), {"--username", endpoint_.username});
  if (!endpoint_.password.empty()) args.insert(args.end(), {"--password", endpoint_.password});
  args.insert(
      args.end(),
      {"--db", std::to_string(endpoint_.db), "--queue", queue, "--jobs", std::to_string(jobs),
       "--concurrency", std::to_string(options_.concurrency), "--warmup",
       std::to_string(options_.warmup), "--keep-completed", std::to_string(options_.keep_completed),
       "--keep-failed", std::to_string(options_.keep_failed), "--timeout-seconds",
       std::to_string(options_.timeout_seconds), "--handshake"});
  std::string log = absl::StrCat(work_dir_, "/bullmq-", runs_++, ".out");
  testing::Process node(node_path_, args, log);

  // Waits (polling every 5 ms) until the script printed `event`, then reads the counters and
  // lets the script go on to its next step.
  auto step = [&](const std::string& event) -> absl::StatusOr<Snapshot> {
    Snapshot s;
    while (!FindEvent(node.ReadLog(), event, &s.event)) {
      if (!node.Running()) {
        return absl::InternalError(
            absl::StrCat("node exited before '", event, "': ", LastLine(node.ReadLog())));
      }
      if (interrupted.load()) return absl::CancelledError("interrupted");
      if (Clock::now() >= deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("no '", event, "' within ", options_.timeout_seconds, " s"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (s.event.fields().at("event").string_value() == "error") {
      return absl::InternalError(s.event.fields().at("message").string_value());
    }
    s.at = Clock::now();
    s.redis = ReadRedisCounters(stats);
    s.node_cpu = ProcessCpuSeconds(node.pid());
    node.Signal(SIGUSR2);
    return s;
  };
  auto warmed = step("warmed");
  auto added = warmed.ok() ? step("added") : warmed.status();
  auto done = added.ok() ? step("done") : added.status();
  // After "cleaned" the script exits; the counters read then are not used.
  absl::Status st = done.ok() ? step("cleaned").status() : done.status();
  int code = st.ok() ? node.Wait(30000) : -1;
  if (st.ok() && code != 0) {
    st = absl::InternalError(
        absl::StrCat("node exited with ", code, ": ", LastLine(node.ReadLog())));
  }
  if (!st.ok()) {
    r.error = absl::StrCat(st.message(), " (log: ", log, ")");
    return r;  // the destructor kills node if it still runs
  }

  const Struct& d = done->event;
  r.completed = static_cast<int64_t>(Number(d, "completed"));
  r.failed = static_cast<int64_t>(Number(d, "failed"));
  r.seconds = Number(d, "seconds");
  r.seconds_from_first_start = Number(d, "seconds_from_first_start");
  r.jobs_per_s = Number(d, "jobs_per_s");
  r.add_seconds = Number(added->event, "add_seconds");
  r.jobs_per_s_with_add = static_cast<double>(r.completed) / (r.add_seconds + r.seconds);
  double per_job = static_cast<double>(std::max<int64_t>(1, r.completed));
  r.add = RedisCostPer(warmed->redis, added->redis, static_cast<double>(jobs));
  r.add_node_cpu_us = (added->node_cpu - warmed->node_cpu) * 1e6 / static_cast<double>(jobs);
  r.work = RedisCostPer(added->redis, done->redis, per_job);
  r.node_cpu_us = (done->node_cpu - added->node_cpu) * 1e6 / per_job;
  r.redis_busy = r.work.cpu_seconds / std::chrono::duration<double>(done->at - added->at).count();
  return r;
}

}  // namespace omniroute::bench
