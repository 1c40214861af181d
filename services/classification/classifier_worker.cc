#include "services/classification/classifier_worker.h"

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/classification/rules.h"
#include "services/common/interaction_codec.h"
#include "services/common/keys.h"
#include "services/common/log/log.h"

namespace omniroute::classification {

ClassificationMetrics::ClassificationMetrics(prometheus::Registry& registry)
    : classified(prometheus::BuildCounter()
                     .Name("omniroute_classified_total")
                     .Help("Interactions classified, by tenant and outcome (classified, "
                           "skipped, missing).")
                     .Register(registry)),
      batch_seconds(prometheus::BuildHistogram()
                        .Name("omniroute_classification_batch_duration_seconds")
                        .Help("Time to classify and forward one batch of stream entries.")
                        .Register(registry)) {}

absl::Status ClassifierWorker::Handle(const std::vector<redis::StreamEntry>& entries) {
  auto started = std::chrono::steady_clock::now();
  auto conn = pool_->Acquire();
  if (!conn.ok()) return conn.status();
  std::vector<std::vector<std::string>> reads;
  reads.reserve(entries.size());
  for (const auto& e : entries) {
    reads.push_back({"HMGET", TenantKeys(e.tenant).Interaction(e.interaction_id), "channel",
                     "subject", "body", "req_priority", "req_queue"});
  }
  auto rows = (*conn)->Pipeline(reads);
  if (!rows.ok()) return rows.status();

  std::string now = std::to_string(clock_->NowMs());
  std::vector<std::vector<std::string>> writes;
  writes.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    auto f = redis::ReplyStrings((*rows)[i]);
    auto config = configs_->Get(**conn, e.tenant);
    if (!config.ok()) return config.status();
    ClassifyInput in;
    if (f.size() == 5) {
      (void)absl::SimpleAtoi(f[0], &in.channel);
      in.subject = f[1];
      in.body = f[2];
      (void)absl::SimpleAtoi(f[3], &in.requested_priority);
      in.requested_queue = f[4];
    }
    ClassifyResult r = Classify((*config)->config, in);
    TenantKeys keys(e.tenant);
    writes.push_back(
        scripts_->Command("classification/classify",
                          {keys.Interaction(e.interaction_id), keys.IntakeStream(),
                           keys.ClassifiedStream(), keys.Events()},
                          {keys.prefix(), e.interaction_id, e.entry_id, kClassificationGroup, now,
                           std::to_string(event_max_len_), r.category, std::to_string(r.priority),
                           EncodeSkills(r.skills), r.queue, r.rule}));
  }
  auto replies = (*conn)->Pipeline(writes);
  if (!replies.ok()) return replies.status();
  if (auto st = scripts_->FixNoScript(**conn, writes, *replies); !st.ok()) return st;
  for (size_t i = 0; i < replies->size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.is_error()) {
      log::Error("classify script failed",
                 {{"interaction_id", entries[i].interaction_id}, {"error", r.str}});
      continue;  // stays pending; reclaimed and retried later
    }
    std::string outcome = r.str.rfind("skipped", 0) == 0 ? "skipped" : r.str;
    metrics_->classified.Add({{"tenant", entries[i].tenant}, {"outcome", outcome}}).Increment();
  }
  metrics_->batch_seconds
      .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                       0.05, 0.1, 0.25, 0.5, 1})
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return absl::OkStatus();
}

}  // namespace omniroute::classification
