#include "load-tests/redis_baseline.h"

#include <signal.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/support/process.h"

namespace omniroute::bench {
namespace {

constexpr char kPrefix[] = "{bench-raw}";

std::string Key(const char* suffix) { return absl::StrCat(kPrefix, ":", suffix); }

}  // namespace

absl::StatusOr<RawRun> ParseRedisBenchmarkCsv(const std::string& output) {
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",
  // "p99_latency_ms","max_latency_ms" -- parsed from the end, so the test name may hold commas.
  std::vector<std::string> header;
  bool found = false;
  RawRun run;
  for (absl::string_view line :
       absl::StrSplit(output, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    std::vector<std::string> fields;
    for (absl::string_view f : absl::StrSplit(line, "\",\"")) {
      f = absl::StripPrefix(f, "\"");
      f = absl::StripSuffix(f, "\"");
      fields.emplace_back(f);
    }
    if (fields.size() >= 2 && fields[0] == "test" && fields[1] == "rps") {
      header = fields;
      continue;
    }
    if (header.empty() || fields.size() < header.size()) continue;
    // Align the numeric columns from the end.
    size_t shift = fields.size() - header.size();
    auto column = [&](const std::string& name) -> double {
      for (size_t i = 1; i < header.size(); ++i) {
        if (header[i] == name) {
          double v = 0;
          return absl::SimpleAtod(fields[i + shift], &v) ? v : -1;
        }
      }
      return -1;
    };
    double rps = column("rps");
    if (rps <= 0) continue;
    run.rps = rps;
    run.p50_ms = column("p50_latency_ms");
    run.p99_ms = column("p99_latency_ms");
    found = true;
  }
  if (!found) {
    return absl::InternalError(
        absl::StrCat("no result line in redis-benchmark output: ", output.substr(0, 500)));
  }
  return run;
}

RedisBaseline::RedisBaseline(redis::Endpoint endpoint, std::string script_source,
                             std::string work_dir, Options options)
    : endpoint_(std::move(endpoint)),
      source_(std::move(script_source)),
      work_dir_(std::move(work_dir)),
      options_(std::move(options)) {}

absl::Status RedisBaseline::Prepare() {
  auto conn = redis::Connection::Open(endpoint_, std::chrono::milliseconds(5000));
  if (!conn.ok()) return conn.status();
  auto sha = (*conn)->Command({"SCRIPT", "LOAD", source_});
  if (!sha.ok()) return sha.status();
  if (sha->is_error()) return absl::InternalError(absl::StrCat("SCRIPT LOAD: ", sha->str));
  sha_ = sha->str;
  std::vector<std::string> zadd = {"ZADD", Key("agents")};
  for (int i = 0; i < options_.agents; ++i) {
    zadd.push_back(std::to_string(i));
    zadd.push_back(absl::StrCat("agent-", i));
  }
  auto r =
      (*conn)->Pipeline({{"DEL", Key("agents"), Key("q"), Key("offered"), Key("events")}, zadd});
  if (!r.ok()) return r.status();
  for (const auto& reply : *r) {
    if (auto st = redis::ReplyError(reply, "seed baseline"); !st.ok()) return st;
  }
  return absl::OkStatus();
}

std::vector<std::string> RedisBaseline::Args(int pipeline) const {
  std::vector<std::string> args;
  if (!endpoint_.unix_path.empty()) {
    args.insert(args.end(), {"-s", endpoint_.unix_path});
  } else {
    args.insert(args.end(), {"-h", endpoint_.host, "-p", std::to_string(endpoint_.port)});
  }
  if (!endpoint_.username.empty()) args.insert(args.end(), {"--user", endpoint_.username});
  if (!endpoint_.password.empty()) args.insert(args.end(), {"-a", endpoint_.password});
  if (endpoint_.db != 0) args.insert(args.end(), {"--dbnum", std::to_string(endpoint_.db)});
  args.insert(args.end(),
              {"-n", std::to_string(options_.requests), "-c", std::to_string(options_.clients),
               "-r", std::to_string(options_.keyspace)});
  if (pipeline > 1) args.insert(args.end(), {"-P", std::to_string(pipeline)});
  args.insert(args.end(), {"--csv", "EVALSHA", sha_, "5", Key("q"), Key("agents"), Key("offered"),
                           Key("ix:__rand_int__"), Key("events")});
  return args;
}

absl::StatusOr<RawRun> RedisBaseline::Run(int pipeline) {
  std::string log = absl::StrCat(work_dir_, "/redis-benchmark-", runs_++, ".out");
  testing::Process p(options_.redis_benchmark, Args(pipeline), log);
  int code = p.Wait(options_.timeout_seconds * 1000);
  if (code == -1) {
    p.Signal(SIGKILL);
    p.Wait(5000);
    return absl::DeadlineExceededError(
        absl::StrCat("redis-benchmark ran longer than ", options_.timeout_seconds, " s"));
  }
  std::string out = p.ReadLog();
  if (code != 0) {
    return absl::InternalError(
        absl::StrCat("redis-benchmark exited with ", code, ": ", out.substr(0, 500)));
  }
  return ParseRedisBenchmarkCsv(out);
}

void RedisBaseline::Cleanup() {
  auto conn = redis::Connection::Open(endpoint_, std::chrono::milliseconds(5000));
  if (!conn.ok()) return;
  (void)(*conn)->Command({"UNLINK", Key("agents"), Key("q"), Key("offered"), Key("events")});
  // At most keyspace item hashes exist; a bounded number of SCAN steps removes them.
  std::string cursor = "0";
  for (int step = 0; step < 10000; ++step) {
    auto r = (*conn)->Command(
        {"SCAN", cursor, "MATCH", absl::StrCat(kPrefix, ":ix:*"), "COUNT", "1000"});
    if (!r.ok() || r->is_error() || r->elements.size() != 2) return;
    cursor = r->elements[0].str;
    std::vector<std::string> unlink = {"UNLINK"};
    for (const auto& k : r->elements[1].elements) unlink.push_back(k.str);
    if (unlink.size() > 1) (void)(*conn)->Command(unlink);
    if (cursor == "0") return;
  }
}

}  // namespace omniroute::bench
