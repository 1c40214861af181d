// A Prometheus server (Debian's /usr/bin/prometheus) scraping a test Cluster, and instant
// PromQL queries against it over its HTTP API, for the e2e tests.
#pragma once

#include <cctype>
#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/e2e/e2e_util.h"
#include "tests/support/cluster.h"
#include "tests/support/free_port.h"
#include "tests/support/process.h"

namespace omniroute::e2e {

inline constexpr char kPrometheusBinary[] = "/usr/bin/prometheus";

// What a PrometheusServer loads besides the scrape jobs.
struct PrometheusOptions {
  // Rule files the server loads (paths or globs), e.g. the recording rules under
  // deploy/prometheus/rules/*.yml (under $OMNIROUTE_SOURCE_DIR) once they exist there.
  std::vector<std::string> rule_files;
};

// A Prometheus server on a free loopback port that scrapes every running replica of `cluster`
// once a second (jobs omniroute-<service>), with its config and TSDB in the cluster directory.
// The destructor kills it (Process), so declare it after the Cluster whose directory it uses.
class PrometheusServer {
 public:
  PrometheusServer(testing::Cluster& cluster, const PrometheusOptions& options)
      : port_(testing::FreePort()) {
    const std::string config_path = cluster.dir() + "/prometheus.yml";
    std::string config =
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n";
    if (!options.rule_files.empty()) {
      config += "rule_files:\n";
      for (const auto& f : options.rule_files) absl::StrAppend(&config, "  - \"", f, "\"\n");
    }
    config += "scrape_configs:\n";
    for (const char* service : {"intake", "classification", "routing"}) {
      absl::StrAppend(&config, "  - job_name: omniroute-", service,
                      "\n    static_configs:\n      - targets: [");
      const char* sep = "";
      for (const auto* r : cluster.Replicas(service)) {
        absl::StrAppend(&config, sep, "\"127.0.0.1:", r->metrics_port, "\"");
        sep = ", ";
      }
      config += "]\n";
    }
    std::ofstream out(config_path);
    out << config;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + config_path);
    process_ = std::make_unique<testing::Process>(
        kPrometheusBinary,
        std::vector<std::string>{"--config.file=" + config_path,
                                 "--storage.tsdb.path=" + cluster.dir() + "/prometheus-data",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
        cluster.dir() + "/prometheus.log");
  }

  int port() const { return port_; }
  std::string ReadLog() const { return process_->ReadLog(); }

  // Waits up to `timeout` for /-/ready to answer 200; false when it exits or times out.
  bool WaitReady(std::chrono::milliseconds timeout) {
    return WaitFor(
        [&] {
          if (!process_->Running()) return false;
          int code = 0;
          (void)HttpGet(port_, "/-/ready", &code);
          return code == 200;
        },
        timeout, std::chrono::milliseconds(100));
  }

 private:
  int port_;
  std::unique_ptr<testing::Process> process_;
};

// `s` percent-encoded for a URL query parameter.
inline std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

// The one sample of an instant-query answer: a scalar ("result":[<ts>,"<v>"]) or a vector of
// exactly one series ("value":[<ts>,"<v>"]). An error answer, an empty vector or more than one
// series is an error status quoting the body.
inline absl::StatusOr<double> ParseQueryValue(const std::string& body) {
  if (body.find("\"status\":\"success\"") == std::string::npos) {
    return absl::InvalidArgumentError("query failed: " + body);
  }
  const bool scalar = body.find("\"resultType\":\"scalar\"") != std::string::npos;
  const std::string key = scalar ? "\"result\":[" : "\"value\":[";
  size_t at = body.find(key);
  if (at == std::string::npos) return absl::NotFoundError("no sample: " + body);
  if (body.find(key, at + 1) != std::string::npos) {
    return absl::FailedPreconditionError("more than one series: " + body);
  }
  size_t comma = body.find(',', at);
  size_t open = comma == std::string::npos ? comma : body.find('"', comma);
  size_t close = open == std::string::npos ? open : body.find('"', open + 1);
  double v = 0;
  if (close == std::string::npos ||
      !absl::SimpleAtod(body.substr(open + 1, close - open - 1), &v)) {
    return absl::InvalidArgumentError("unparsable sample: " + body);
  }
  return v;
}

// Evaluates `promql` now (GET /api/v1/query) and returns its single value.
inline absl::StatusOr<double> QueryScalar(int prom_port, const std::string& promql) {
  int code = 0;
  std::string body = HttpGet(prom_port, "/api/v1/query?query=" + UrlEncode(promql), &code);
  if (body.empty()) return absl::UnavailableError(absl::StrCat("HTTP ", code, " for ", promql));
  auto v = ParseQueryValue(body);
  if (!v.ok()) {
    return absl::Status(v.status().code(), absl::StrCat(promql, ": ", v.status().message()));
  }
  return v;
}

// Polls `promql` until its value satisfies `done` or `timeout` passes; returns the last answer.
inline absl::StatusOr<double> WaitForQuery(int prom_port, const std::string& promql,
                                           const std::function<bool(double)>& done,
                                           std::chrono::milliseconds timeout) {
  absl::StatusOr<double> last = absl::DeadlineExceededError("not queried");
  (void)WaitFor(
      [&] {
        last = QueryScalar(prom_port, promql);
        return last.ok() && done(*last);
      },
      timeout, std::chrono::milliseconds(250));
  return last;
}

}  // namespace omniroute::e2e
