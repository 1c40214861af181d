// omniroute-model corrections: exports agents' corrections (Classifier.Reclassify) of one
// tenant as labelled CSV (text,label) for retraining.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/classification/feedback.h"
#include "services/common/redis/redis_client.h"
#include "services/common/validation.h"
#include "tools/model/args.h"
#include "tools/model/commands.h"
#include "tools/model/redis_target.h"

namespace omniroute::model_cli {

const char kCorrectionsUsage[] =
    "usage: omniroute-model corrections --tenant T --out FILE.csv [--label intent|category]\n"
    "         [--since-ms MS] [--all] [--redis-url URL | --redis-host H --redis-port P]\n"
    "  (Redis: --redis-url, else OMNIROUTE_REDIS_URL, else --redis-host/--redis-port)\n";

int RunCorrections(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(
      argv, {"tenant", "out", "label", "since-ms", "redis-url", "redis-host", "redis-port"},
      {"all"});
  if (!args.ok()) return UsageError("corrections", args.status(), kCorrectionsUsage);
  absl::StatusOr<std::string> tenant = args->Required("tenant");
  if (!tenant.ok()) return UsageError("corrections", tenant.status(), kCorrectionsUsage);
  if (auto st = ValidateTenantId("--tenant", *tenant); !st.ok()) {
    return UsageError("corrections", st, kCorrectionsUsage);
  }
  absl::StatusOr<std::string> out_path = args->Required("out");
  if (!out_path.ok()) return UsageError("corrections", out_path.status(), kCorrectionsUsage);
  const std::string label = args->String("label", "intent");
  if (label != "intent" && label != "category") {
    return UsageError(
        "corrections",
        absl::InvalidArgumentError("--label: must be intent or category, not '" + label + "'"),
        kCorrectionsUsage);
  }
  absl::StatusOr<int64_t> since = args->Int("since-ms", 0, 0, INT64_MAX);
  if (!since.ok()) return UsageError("corrections", since.status(), kCorrectionsUsage);
  absl::StatusOr<redis::Endpoint> endpoint = RedisTarget(*args);
  if (!endpoint.ok()) return UsageError("corrections", endpoint.status(), kCorrectionsUsage);

  auto conn = redis::Connection::Open(*endpoint, std::chrono::milliseconds(5000));
  if (!conn.ok()) return FileError("corrections", conn.status());
  auto all = classification::ReadCorrections(**conn, *tenant, *since);
  if (!all.ok()) return FileError("corrections", all.status());
  // An interaction corrected twice counts once, with its latest label (unless --all).
  std::vector<classification::Correction> rows =
      args->Switch("all") ? *all : classification::LatestPerInteraction(*all);

  std::ofstream out(*out_path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return FileError("corrections", absl::PermissionDeniedError("cannot write " + *out_path));
  }
  out << "text,label\n";
  std::map<std::string, int> per_label;
  size_t skipped = 0;
  for (const auto& c : rows) {
    std::string text = c.Text();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      ++skipped;  // nothing to learn from (an interaction without text)
      continue;
    }
    const std::string& l = label == "intent" ? c.intent : c.category;
    out << CsvField(text) << ',' << CsvField(l) << '\n';
    ++per_label[l];
  }
  out.close();
  if (!out) return FileError("corrections", absl::DataLossError("write failed: " + *out_path));
  std::printf("exported %zu corrections of tenant %s to %s (label: %s; %zu in the log",
              rows.size() - skipped, tenant->c_str(), out_path->c_str(), label.c_str(),
              all->size());
  if (rows.size() < all->size()) {
    std::printf(", %zu superseded by a later correction", all->size() - rows.size());
  }
  if (skipped > 0) std::printf(", %zu without text", skipped);
  std::printf(")\n");
  for (const auto& [l, n] : per_label) std::printf("  %s: %d\n", l.c_str(), n);
  return 0;
}

}  // namespace omniroute::model_cli
