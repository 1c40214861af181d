// omniroute-model retrain: the tenant's training file plus its agents' corrections -> a new
// model, compared with the model serving the tenant now on the same held-out messages, and
// published for the tenant only when it is not worse.
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/classification/feedback.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model/metrics.h"
#include "services/classification/model/trainer.h"
#include "services/classification/model_registry.h"
#include "services/common/validation.h"
#include "tools/model/args.h"
#include "tools/model/commands.h"
#include "tools/model/evaluation.h"
#include "tools/model/example_sets.h"
#include "tools/model/redis_target.h"
#include "tools/model/train_flags.h"

namespace omniroute::model_cli {

using classification::model::Evaluation;
using classification::model::Example;
using classification::model::IntentModel;

// Exit code of a retrain whose model was worse than the serving one (nothing published).
constexpr int kExitNotBetter = 3;

const char kRetrainUsage[] =
    "usage: omniroute-model retrain --tenant T --data FILE.csv [--holdout 0.2] [--seed 42]\n"
    "         [--model-out FILE] [--dry-run] [--keep 3] [REDIS] [train's model and feature "
    "flags]\n"
    "  FILE.csv (the tenant's labelled messages) + the tenant's corrections (the latest label\n"
    "  of each corrected interaction; it replaces a row with the same text) -> a new model,\n"
    "  scored beside the model serving the tenant now (its own, else the global one) on the\n"
    "  same held-out messages (chosen by a hash of the text, so they stay held out at every\n"
    "  retrain); published for the tenant only when its accuracy is not lower (exit 3 when it\n"
    "  is: nothing published). --dry-run compares without publishing.\n";

namespace {

// Whether a message is held out: by a CRC-32 of the seed and the text, so the same message is
// held out at every retrain with that seed (a model trained by an earlier retrain never saw the
// messages the next one scores it on).
bool HeldOut(const std::string& text, uint64_t seed, double fraction) {
  const uint32_t h = classification::model::Crc32(absl::StrCat(seed, ":", text));
  return h < fraction * 4294967296.0;
}

struct Scored {
  double accuracy = 0;
  double macro_f1 = 0;
};

Scored Score(const IntentModel& model, const std::vector<Example>& held) {
  Evaluation eval(model.labels());
  EvaluateModel(model, held, &eval);
  return {eval.accuracy(), eval.macro_f1()};
}

}  // namespace

int RunRetrain(const std::vector<std::string>& argv) {
  std::set<std::string> flags = {"tenant", "data",      "holdout",    "seed",      "model-out",
                                 "keep",   "redis-url", "redis-host", "redis-port"};
  flags.insert(kHyperFlags.begin(), kHyperFlags.end());
  absl::StatusOr<Args> args = Args::Parse(argv, flags, {"dry-run"});
  if (!args.ok()) return UsageError("retrain", args.status(), kRetrainUsage);
  absl::StatusOr<std::string> tenant = args->Required("tenant");
  if (!tenant.ok()) return UsageError("retrain", tenant.status(), kRetrainUsage);
  if (auto st = ValidateTenantId("--tenant", *tenant); !st.ok()) {
    return UsageError("retrain", st, kRetrainUsage);
  }
  absl::StatusOr<std::string> data = args->Required("data");
  if (!data.ok()) return UsageError("retrain", data.status(), kRetrainUsage);
  absl::StatusOr<double> holdout = args->Double("holdout", 0.2, 0.01, 0.9);
  if (!holdout.ok()) return UsageError("retrain", holdout.status(), kRetrainUsage);
  absl::StatusOr<uint64_t> seed = args->Uint64("seed", 42);
  if (!seed.ok()) return UsageError("retrain", seed.status(), kRetrainUsage);
  absl::StatusOr<int64_t> keep =
      args->Int("keep", classification::kDefaultKeptModelVersions, 1, 100);
  if (!keep.ok()) return UsageError("retrain", keep.status(), kRetrainUsage);
  absl::StatusOr<classification::model::TrainOptions> options = OptionsFromArgs(*args, *seed);
  if (!options.ok()) return UsageError("retrain", options.status(), kRetrainUsage);
  absl::StatusOr<redis::Endpoint> endpoint = RedisTarget(*args);
  if (!endpoint.ok()) return UsageError("retrain", endpoint.status(), kRetrainUsage);

  absl::StatusOr<std::vector<Example>> file = classification::model::ReadLabelledCsvFile(*data);
  if (!file.ok()) return FileError("retrain", file.status());
  auto conn = redis::Connection::Open(*endpoint, std::chrono::milliseconds(5000));
  if (!conn.ok()) return FileError("retrain", conn.status());
  auto log = classification::ReadCorrections(**conn, *tenant, 0);
  if (!log.ok()) return FileError("retrain", log.status());

  // The corrections' labels win over the file's for the same text.
  std::map<std::string, size_t> row_of;
  std::vector<Example> all;
  for (const Example& e : *file) {
    if (row_of.emplace(e.text, all.size()).second) all.push_back(e);
  }
  size_t corrected = 0, added = 0;
  for (const auto& c : classification::LatestPerInteraction(*log)) {
    const std::string text = c.Text();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;
    auto [it, fresh] = row_of.emplace(text, all.size());
    if (fresh) {
      all.push_back({text, c.intent, 0});
      ++added;
    } else if (all[it->second].label != c.intent) {
      all[it->second].label = c.intent;
      ++corrected;
    }
  }
  std::vector<Example> train, held;
  std::set<std::string> train_labels;
  for (const Example& e : all) {
    (HeldOut(e.text, *seed, *holdout) ? held : train).push_back(e);
  }
  for (const Example& e : train) train_labels.insert(e.label);
  std::printf(
      "data: %s: %zu messages; corrections of tenant %s: %zu in the log, %zu added, %zu "
      "relabelled\n",
      data->c_str(), file->size(), tenant->c_str(), log->size(), added, corrected);
  std::printf(
      "split: %zu train, %zu held out (%.0f %% by a hash of the text with seed %llu: the same "
      "messages at every retrain)\n",
      train.size(), held.size(), *holdout * 100, static_cast<unsigned long long>(*seed));
  if (held.empty() || train_labels.size() < 2) {
    return FileError("retrain", absl::InvalidArgumentError(
                                    "too little data: need held-out messages and at least two "
                                    "labels to train on"));
  }

  // What serves the tenant now: its own model, else the global one.
  std::string serving_version, serving_scope = "tenant";
  absl::StatusOr<std::string> serving_bytes = absl::NotFoundError("none");
  auto own = classification::TenantModelServing(**conn, *tenant);
  if (!own.ok()) return FileError("retrain", own.status());
  if (!own->empty()) {
    serving_version = *own;
    serving_bytes = classification::ReadTenantModel(**conn, *tenant, *own);
  } else {
    serving_scope = "global";
    auto g = classification::ReadGlobalModel(**conn);
    if (!g.ok()) return FileError("retrain", g.status());
    if (!g->version.empty()) {
      serving_version = g->version;
      serving_bytes = std::move(g->bytes);
    }
  }
  std::optional<Scored> before;
  if (serving_bytes.ok()) {
    auto current = IntentModel::FromBytes(*serving_bytes);
    if (!current.ok()) return FileError("retrain", current.status());
    before = Score(*current, held);
  }

  const double wall0 = WallSeconds();
  const std::string metadata = absl::StrFormat(
      "omniroute-model retrain for tenant %s (%zu examples, %zu from corrections); %s", *tenant,
      train.size(), added + corrected, DescribeOptions(*options));
  absl::StatusOr<IntentModel> model =
      classification::model::TrainIntentModel(train, *options, metadata);
  if (!model.ok()) return FileError("retrain", model.status());
  const std::string bytes = model->ToBytes();
  const Scored after = Score(*model, held);
  std::printf("trained in %.1f s\n\nheld-out accuracy (%zu messages):\n", WallSeconds() - wall0,
              held.size());
  if (before.has_value()) {
    std::printf("  serving (%s %s): accuracy %.4f  macro_f1 %.4f\n", serving_scope.c_str(),
                serving_version.c_str(), before->accuracy, before->macro_f1);
  } else {
    std::printf("  serving: no model\n");
  }
  std::printf("  new (%s): accuracy %.4f  macro_f1 %.4f\n",
              classification::ModelVersion(bytes).c_str(), after.accuracy, after.macro_f1);
  if (before.has_value()) {
    std::printf("  change: %+.2f points\n", (after.accuracy - before->accuracy) * 100);
  }
  if (args->Has("model-out")) {
    if (auto st = model->ToFile(args->String("model-out")); !st.ok()) {
      return FileError("retrain", st);
    }
  }
  if (before.has_value() && after.accuracy < before->accuracy) {
    std::printf(
        "not published: the new model is worse on the held-out messages (%.4f < %.4f); "
        "the serving model stays\n",
        after.accuracy, before->accuracy);
    return kExitNotBetter;
  }
  if (args->Switch("dry-run")) {
    std::printf("not published (--dry-run)\n");
    return 0;
  }
  auto version = PublishModelBytes(**conn, *tenant, bytes, static_cast<int>(*keep));
  if (!version.ok()) return FileError("retrain", version.status());
  std::printf("published for tenant %s as version %s\n", tenant->c_str(), version->c_str());
  return 0;
}

}  // namespace omniroute::model_cli
