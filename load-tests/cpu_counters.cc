#include "load-tests/cpu_counters.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace omniroute::bench {
namespace {

// Calls `field(name, value)` for every "name:value" line of an INFO reply.
template <typename F>
void ForEachInfoField(const std::string& info, F field) {
  for (absl::string_view line : absl::StrSplit(info, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
    field(kv.first, kv.second);
  }
}

// used_cpu_user + used_cpu_sys of an INFO reply (0 when absent).
double InfoCpuSeconds(const std::string& info) {
  double user = 0, sys = 0;
  ForEachInfoField(info, [&](const std::string& name, const std::string& value) {
    if (name == "used_cpu_user") (void)absl::SimpleAtod(value, &user);
    if (name == "used_cpu_sys") (void)absl::SimpleAtod(value, &sys);
  });
  return user + sys;
}

}  // namespace

RedisCounters ReadRedisCounters(redis::Connection& conn) {
  RedisCounters c;
  auto r = conn.Command({"INFO", "all"});
  if (!r.ok() || r->is_error()) return c;
  ForEachInfoField(r->str, [&c](const std::string& name, const std::string& value) {
    if (name == "redis_version") c.version = value;
    if (name.rfind("cmdstat_", 0) != 0) return;
    int64_t calls = 0, usec = 0;
    for (absl::string_view part : absl::StrSplit(value, ',')) {
      std::pair<std::string, std::string> p = absl::StrSplit(part, absl::MaxSplits('=', 1));
      if (p.first == "calls") (void)absl::SimpleAtoi(p.second, &calls);
      if (p.first == "usec") (void)absl::SimpleAtoi(p.second, &usec);
    }
    c.all_calls += calls;
    c.commands[name.substr(8)] = {calls, usec};
    // Scripts run as EVALSHA (BullMQ, the raw baseline) or as functions (omniroute's FCALL).
    if (name == "cmdstat_evalsha" || name == "cmdstat_fcall") {
      c.script_calls += calls;
      c.script_usec += usec;
    }
  });
  c.cpu_seconds = InfoCpuSeconds(r->str);
  return c;
}

std::vector<RedisCounters> ReadRedisCounters(RedisNodes& nodes) {
  std::vector<RedisCounters> out;
  for (size_t i = 0; i < nodes.size(); ++i) out.push_back(ReadRedisCounters(nodes.conn(i)));
  return out;
}

RedisCounters SumCounters(const std::vector<RedisCounters>& nodes) {
  if (nodes.size() == 1) return nodes.front();
  RedisCounters sum;
  sum.cpu_seconds = 0;
  for (const auto& n : nodes) {
    if (sum.version.empty()) sum.version = n.version;
    sum.cpu_seconds += n.cpu_seconds;
    sum.script_calls += n.script_calls;
    sum.script_usec += n.script_usec;
    sum.all_calls += n.all_calls;
    for (const auto& [name, cu] : n.commands) {
      sum.commands[name].first += cu.first;
      sum.commands[name].second += cu.second;
    }
  }
  return sum;
}

RedisCost RedisCostPer(const RedisCounters& before, const RedisCounters& after, double units) {
  RedisCost c;
  c.cpu_seconds = after.cpu_seconds - before.cpu_seconds;
  c.cpu_us = c.cpu_seconds * 1e6 / units;
  c.scripts = static_cast<double>(after.script_calls - before.script_calls) / units;
  c.script_us = static_cast<double>(after.script_usec - before.script_usec) / units;
  c.cmds = static_cast<double>(after.all_calls - before.all_calls) / units;
  std::vector<std::pair<int64_t, std::string>> by_time;
  for (const auto& [name, cu] : after.commands) {
    auto b = before.commands.find(name);
    by_time.emplace_back(cu.second - (b == before.commands.end() ? 0 : b->second.second), name);
  }
  std::sort(by_time.rbegin(), by_time.rend());
  for (size_t i = 0; i < by_time.size() && i < 8 && by_time[i].first > 0; ++i) {
    const auto& name = by_time[i].second;
    auto b = before.commands.find(name);
    int64_t calls =
        after.commands.at(name).first - (b == before.commands.end() ? 0 : b->second.first);
    absl::StrAppend(&c.top_commands, i == 0 ? "" : ", ", name, " ",
                    absl::StrFormat("%.1f", static_cast<double>(by_time[i].first) / units), " us/",
                    absl::StrFormat("%.1f", static_cast<double>(calls) / units), " calls");
  }
  return c;
}

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

std::map<std::string, double> CpuNow(const std::map<std::string, pid_t>& pids, RedisNodes* nodes) {
  std::map<std::string, double> cpu;
  bool all = nodes != nullptr;
  double redis = 0;
  for (size_t i = 0; all && i < nodes->size(); ++i) {
    auto r = nodes->conn(i).Command({"INFO", "cpu"});
    all = r.ok() && !r->is_error();
    if (all) redis += InfoCpuSeconds(r->str);
  }
  if (all) cpu["redis"] = redis;
  for (const auto& [name, pid] : pids) cpu[name] = ProcessCpuSeconds(pid);
  cpu["bench"] = SelfCpuSeconds();
  return cpu;
}

}  // namespace omniroute::bench
