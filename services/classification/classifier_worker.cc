#include "services/classification/classifier_worker.h"

#include <chrono>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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
      intents(prometheus::BuildCounter()
                  .Name("omniroute_classified_intents_total")
                  .Help("Interactions the intent model classified, by tenant and what decided "
                        "(rule, model, low_confidence, out_of_scope, default).")
                  .Register(registry)),
      batch_seconds(prometheus::BuildHistogram()
                        .Name("omniroute_classification_batch_duration_seconds")
                        .Help("Time to classify and forward one batch of stream entries.")
                        .Register(registry)),
      corrections(prometheus::BuildCounter()
                      .Name("omniroute_classification_corrections_total")
                      .Help("Classifications corrected by agents (Reclassify), by tenant and the "
                            "category and source (rule, model, low_confidence, out_of_scope, "
                            "default) that were corrected.")
                      .Register(registry)),
      classify_seconds(
          prometheus::BuildHistogram()
              .Name("omniroute_classification_duration_seconds")
              .Help("Time to classify one interaction: intent model and tenant rules.")
              .Register(registry)
              .Add({}, prometheus::Histogram::BucketBoundaries{0.00001, 0.000025, 0.00005, 0.0001,
                                                               0.00025, 0.0005, 0.001, 0.0025,
                                                               0.005, 0.01})),
      confidence(prometheus::BuildHistogram()
                     .Name("omniroute_classification_confidence_ratio")
                     .Help("Confidence of the intent model's top intent, by tenant (only for "
                           "interactions the model saw).")
                     .Register(registry)) {}

void ClassificationMetrics::ObserveConfidence(const std::string& tenant, double value) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {0.1, 0.2, 0.3, 0.4,  0.5,  0.6,
                                                                   0.7, 0.8, 0.9, 0.95, 0.99, 1};
  confidence.Add({{"tenant", tenant}}, kBuckets).Observe(value);
}

ClassifyInput InputFromHash(const std::vector<std::string>& flat) {
  ClassifyInput in;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) {
    const std::string& k = flat[i];
    const std::string& v = flat[i + 1];
    if (k == "channel") {
      (void)absl::SimpleAtoi(v, &in.channel);
    } else if (k == "subject") {
      in.subject = v;
    } else if (k == "body") {
      in.body = v;
    } else if (k == "req_priority") {
      (void)absl::SimpleAtoi(v, &in.requested_priority);
    } else if (k == "req_queue") {
      in.requested_queue = v;
    } else if (k == "customer") {
      in.customer_id = v;
    } else if (k.rfind("a:", 0) == 0) {
      in.attributes[k.substr(2)] = v;
    }
  }
  return in;
}

ModelVerdict VerdictOf(const model::IntentModel& model, const model::Prediction& p) {
  ModelVerdict v;
  if (!p.labels.empty()) {
    v.intent = p.labels[0].label;
    v.confidence = p.labels[0].probability;
  }
  v.out_of_scope_score = p.out_of_scope_score;
  v.model_out_of_scope_threshold = model.has_oos_detector() ? model.oos_threshold() : 0;
  return v;
}

ModelVerdict Predict(const LoadedModel* model, const ClassifyInput& in) {
  if (model == nullptr) return {};
  model::PredictOptions options;
  options.top_labels = 1;
  options.top_features = 0;
  // The model reads the subject and the body as one text: built in a buffer per thread, so a
  // message costs no allocation here.
  thread_local std::string text;
  text.assign(in.subject).append("\n").append(in.body);
  return VerdictOf(model->model, model->model.Predict(text, options));
}

absl::Status ClassifierWorker::Handle(const std::vector<redis::StreamEntry>& entries) {
  auto started = std::chrono::steady_clock::now();
  auto conn = pool_->Acquire();
  if (!conn.ok()) return conn.status();
  std::vector<std::vector<std::string>> reads;
  reads.reserve(entries.size());
  for (const auto& e : entries) {
    reads.push_back({"HGETALL", TenantKeys(e.tenant).Interaction(e.interaction_id)});
  }
  auto rows = (*conn)->Pipeline(reads);
  if (!rows.ok()) return rows.status();

  const int64_t now_ms = clock_->NowMs();
  std::string now = std::to_string(now_ms);
  std::vector<ClassifyInput> inputs;
  std::vector<std::shared_ptr<const ConfigSnapshot>> configs;
  // Customer profiles, for the tenants whose rules look at them (one more pipeline).
  std::vector<std::vector<std::string>> profile_reads;
  std::vector<size_t> profile_of;
  for (size_t i = 0; i < entries.size(); ++i) {
    auto config = configs_->Get(**conn, entries[i].tenant);
    if (!config.ok()) return config.status();
    configs.push_back(*config);
    inputs.push_back(InputFromHash(redis::ReplyStrings((*rows)[i])));
    inputs.back().now_ms = now_ms;
    if ((*config)->compiled->uses_customer && !inputs.back().customer_id.empty()) {
      profile_reads.push_back(
          {"HGETALL", TenantKeys(entries[i].tenant).CustomerProfile(inputs.back().customer_id)});
      profile_of.push_back(i);
    }
  }
  if (!profile_reads.empty()) {
    auto profiles = (*conn)->Pipeline(profile_reads);
    if (!profiles.ok()) return profiles.status();
    for (size_t k = 0; k < profile_of.size(); ++k) {
      inputs[profile_of[k]].customer = ProfileFromHash(redis::ReplyStrings((*profiles)[k]));
    }
  }

  // Each tenant's own model, else the global one (looked up once per tenant and batch).
  std::map<std::string, std::shared_ptr<const LoadedModel>> model_of;
  for (const auto& e : entries) {
    if (models_ != nullptr && model_of.count(e.tenant) == 0) {
      model_of[e.tenant] = models_->ForTenant(e.tenant, **conn);
    }
  }
  auto model_for = [&model_of](const std::string& tenant) -> const LoadedModel* {
    auto it = model_of.find(tenant);
    return it == model_of.end() ? nullptr : it->second.get();
  };
  // One script call per tenant and chunk (classification/classify.lua): the entries of a
  // tenant, in order, kClassifyChunk at most, so that no call holds Redis for long.
  std::vector<std::vector<std::string>> writes;
  std::vector<std::vector<size_t>> members;  // the entries of each write
  std::map<std::string, size_t> open_write;  // tenant -> its write being filled
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    const ClassifyInput& in = inputs[i];
    auto classify_started = std::chrono::steady_clock::now();
    ModelVerdict verdict = Predict(model_for(e.tenant), in);
    ClassifyResult r = Classify(*configs[i]->compiled, in, &verdict);
    metrics_->classify_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - classify_started).count());
    auto it = open_write.find(e.tenant);
    if (it == open_write.end() || members[it->second].size() >= kClassifyChunk) {
      TenantKeys keys(e.tenant);
      writes.push_back(scripts_->Command(
          "classification/classify", {keys.IntakeStream(), keys.ClassifiedStream(), keys.Events()},
          {keys.prefix(), kClassificationGroup, now, std::to_string(event_max_len_)}));
      members.emplace_back();
      it = open_write.insert_or_assign(e.tenant, writes.size() - 1).first;
    }
    auto& w = writes[it->second];
    for (std::string v :
         {e.interaction_id, e.entry_id, r.category, std::to_string(r.priority),
          EncodeSkills(r.skills), r.queue, r.rule, r.intent, absl::StrFormat("%.4f", r.confidence),
          r.source, r.product_area, std::string(r.self_service ? "1" : "0"), r.escalation_queue}) {
      w.push_back(std::move(v));
    }
    members[it->second].push_back(i);
    if (!r.intent.empty()) {
      metrics_->intents.Add({{"tenant", e.tenant}, {"source", r.source}}).Increment();
      metrics_->ObserveConfidence(e.tenant, r.confidence);
    }
  }
  auto replies = (*conn)->Pipeline(writes);
  if (!replies.ok()) return replies.status();
  if (auto st = scripts_->FixNoScript(**conn, writes, *replies); !st.ok()) return st;
  absl::Status transient;
  for (size_t w = 0; w < replies->size(); ++w) {
    const auto& r = (*replies)[w];
    if (redis::IsTransientError(r)) {
      // Redis answered "not now": the entries stay pending and the consumer, told so by the
      // status returned, takes them back at once.
      transient = redis::ReplyError(r, "classify");
      continue;
    }
    if (r.is_error() || r.elements.size() != members[w].size()) {
      // The entries stay pending; they are reclaimed and retried (the script is idempotent).
      log::Error("classify script failed",
                 {{"interaction_id", entries[members[w][0]].interaction_id}, {"error", r.str}});
      continue;
    }
    for (size_t k = 0; k < members[w].size(); ++k) {
      const std::string& result = r.elements[k].str;
      std::string outcome = result.rfind("skipped", 0) == 0 ? "skipped" : result;
      metrics_->classified.Add({{"tenant", entries[members[w][k]].tenant}, {"outcome", outcome}})
          .Increment();
    }
  }
  metrics_->batch_seconds
      .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                       0.05, 0.1, 0.25, 0.5, 1})
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return transient;
}

}  // namespace omniroute::classification
