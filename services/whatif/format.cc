// What-if results as a table.
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/whatif/what_if.h"

namespace omniroute::whatif {

namespace {

using Key = std::pair<std::string, int>;  // queue, priority (0 = all)

std::map<Key, const v1::WhatIfQueueResult*> ByKey(const v1::WhatIfRun& run) {
  std::map<Key, const v1::WhatIfQueueResult*> out;
  for (const auto& q : run.queues()) out[{q.queue(), q.priority()}] = &q;
  return out;
}

std::string Row(const std::string& queue, const std::string& prio, const std::string& run,
                const v1::WhatIfQueueResult* r) {
  if (r == nullptr) return absl::StrFormat("%-16s %-4s %-9s %s\n", queue, prio, run, "-");
  return absl::StrFormat("%-16s %-4s %-9s %8d %9d %7.1f %9.2f %8.2f %7.1f\n", queue, prio, run,
                         r->answered(), r->abandoned(), r->service_level_percent(),
                         r->mean_wait_seconds(), r->p90_wait_seconds(), r->abandoned_percent());
}

}  // namespace

std::string FormatWhatIf(const v1::RunWhatIfResponse& resp) {
  std::vector<std::pair<std::string, const v1::WhatIfRun*>> runs = {{"recorded", &resp.recorded()},
                                                                    {"current", &resp.current()}};
  if (resp.has_proposed()) runs.push_back({"proposed", &resp.proposed()});
  std::map<Key, std::vector<const v1::WhatIfQueueResult*>> rows;
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const auto& [key, r] : ByKey(*runs[i].second)) {
      auto& row = rows[key];
      row.resize(runs.size(), nullptr);
      row[i] = r;
    }
  }
  std::string out =
      absl::StrFormat("%-16s %-4s %-9s %8s %9s %7s %9s %8s %7s\n", "queue", "prio", "run",
                      "answered", "abandoned", "SL %", "mean wait", "p90 wait", "aband %");
  for (auto& [key, row] : rows) {
    row.resize(runs.size(), nullptr);
    std::string prio = key.second == 0 ? "all" : absl::StrCat("P", key.second);
    for (size_t i = 0; i < runs.size(); ++i) {
      out += Row(i == 0 ? key.first : "", i == 0 ? prio : "", runs[i].first, row[i]);
    }
    if (runs.size() == 3 && row[1] != nullptr && row[2] != nullptr) {
      out +=
          absl::StrFormat("%-16s %-4s %-9s %8s %9s %+7.1f %+9.2f %+8.2f %+7.1f\n", "", "", "change",
                          "", "", row[2]->service_level_percent() - row[1]->service_level_percent(),
                          row[2]->mean_wait_seconds() - row[1]->mean_wait_seconds(),
                          row[2]->p90_wait_seconds() - row[1]->p90_wait_seconds(),
                          row[2]->abandoned_percent() - row[1]->abandoned_percent());
    }
  }
  out += "\n";
  for (const auto& [name, run] : runs) {
    out += absl::StrFormat(
        "%-9s arrivals %d, canceled before queued %d, rejected %d, open at the end %d, "
        "occupancy %.1f %%%s\n",
        name, run->arrivals(), run->canceled_before_queue(), run->rejected(), run->open_at_end(),
        run->occupancy_percent(),
        run->elapsed_seconds() > 0 ? absl::StrFormat(", replayed in %.1f s", run->elapsed_seconds())
                                   : "");
  }
  return out;
}

}  // namespace omniroute::whatif
