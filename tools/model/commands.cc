// omniroute-model evaluate, predict and info, and the usage of every subcommand.
#include "tools/model/commands.h"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model/metrics.h"
#include "tools/model/args.h"
#include "tools/model/evaluation.h"
#include "tools/model/example_sets.h"

namespace omniroute::model_cli {
namespace {

using classification::model::Evaluation;
using classification::model::Example;
using classification::model::FeaturizerConfig;
using classification::model::IntentModel;

constexpr char kEvaluateUsage[] =
    "usage: omniroute-model evaluate --data FILE.csv --model MODEL [--top-confused 10]\n";
constexpr char kPredictUsage[] =
    "usage: omniroute-model predict --model MODEL [--top 3] [--features 5]  (one text per "
    "line on stdin)\n";
constexpr char kInfoUsage[] = "usage: omniroute-model info --model MODEL\n";

}  // namespace

std::string Usage() {
  return absl::StrCat(
      "omniroute-model: trains, evaluates and runs the intent model (hashed word and character\n"
      "n-grams, softmax regression). Data is CSV text,label (a header text,label|category|intent\n"
      "is skipped).\n\n",
      kTrainUsage, kEvaluateUsage, kPredictUsage, kCvUsage, kInfoUsage, kPublishUsage,
      kCorrectionsUsage, kRetrainUsage, kOosEvalUsage,
      "\nExit codes: 0 ok, 1 failed (bad rows, corrupt model), 2 usage error.\n");
}

int RunEvaluate(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, {"data", "model", "top-confused"}, {});
  if (!args.ok()) return UsageError("evaluate", args.status(), kEvaluateUsage);
  absl::StatusOr<std::string> data = args->Required("data");
  if (!data.ok()) return UsageError("evaluate", data.status(), kEvaluateUsage);
  absl::StatusOr<std::string> model_path = args->Required("model");
  if (!model_path.ok()) return UsageError("evaluate", model_path.status(), kEvaluateUsage);
  absl::StatusOr<int64_t> top_confused = args->Int("top-confused", 10, 0, 10000);
  if (!top_confused.ok()) return UsageError("evaluate", top_confused.status(), kEvaluateUsage);

  absl::StatusOr<IntentModel> model = IntentModel::FromFile(*model_path);
  if (!model.ok()) return FileError("evaluate", model.status());
  absl::StatusOr<std::vector<Example>> examples = classification::model::ReadLabelledCsvFile(*data);
  if (!examples.ok()) return FileError("evaluate", examples.status());
  std::printf("model: %s (%zu labels)\ndata: %s: %zu examples, %zu labels\n", model_path->c_str(),
              model->labels().size(), data->c_str(), examples->size(), CountLabels(*examples));
  Evaluation eval(model->labels());
  Calibration calibration;
  const double us = EvaluateModel(*model, *examples, &eval, &calibration);
  std::printf("\nevaluation (%.1f us/message):\n%s%s", us,
              eval.Format(static_cast<int>(*top_confused)).c_str(),
              FormatCalibration(calibration, model->temperature()).c_str());
  return 0;
}

int RunPredict(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, {"model", "top", "features"}, {});
  if (!args.ok()) return UsageError("predict", args.status(), kPredictUsage);
  absl::StatusOr<std::string> model_path = args->Required("model");
  if (!model_path.ok()) return UsageError("predict", model_path.status(), kPredictUsage);
  absl::StatusOr<int64_t> top = args->Int("top", 3, 1, 1000);
  if (!top.ok()) return UsageError("predict", top.status(), kPredictUsage);
  absl::StatusOr<int64_t> features = args->Int("features", 5, 0, 1000);
  if (!features.ok()) return UsageError("predict", features.status(), kPredictUsage);
  absl::StatusOr<IntentModel> model = IntentModel::FromFile(*model_path);
  if (!model.ok()) return FileError("predict", model.status());

  classification::model::PredictOptions options;
  options.top_labels = static_cast<int>(*top);
  options.top_features = static_cast<int>(*features);
  std::string line;
  // One line out per line in: label, confidence, then the runners-up and the top features.
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const classification::model::Prediction p = model->Predict(line, options);
    std::string alternatives, feats;
    for (size_t i = 1; i < p.labels.size(); ++i) {
      absl::StrAppendFormat(&alternatives, "%s%s %.4f", i > 1 ? ", " : "", p.labels[i].label,
                            p.labels[i].probability);
    }
    for (size_t i = 0; i < p.features.size(); ++i) {
      absl::StrAppendFormat(&feats, "%s%s %+.3f", i > 0 ? ", " : "", p.features[i].feature,
                            p.features[i].contribution);
    }
    const float threshold = model->oos_threshold();
    std::printf("%s\t%.4f\talso: %s\tfeatures: %s\tout_of_scope: %.4f (%s)\n",
                p.labels[0].label.c_str(), p.labels[0].probability,
                alternatives.empty() ? "-" : alternatives.c_str(),
                feats.empty() ? "-" : feats.c_str(), p.out_of_scope_score,
                threshold == classification::model::kNeverOutOfScope
                    ? "no threshold"
                    : absl::StrFormat("%s: threshold %.4f",
                                      p.out_of_scope_score >= threshold ? "yes" : "no", threshold)
                          .c_str());
    std::fflush(stdout);
  }
  return 0;
}

int RunInfo(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, {"model"}, {});
  if (!args.ok()) return UsageError("info", args.status(), kInfoUsage);
  absl::StatusOr<std::string> model_path = args->Required("model");
  if (!model_path.ok()) return UsageError("info", model_path.status(), kInfoUsage);
  absl::StatusOr<IntentModel> model = IntentModel::FromFile(*model_path);
  if (!model.ok()) return FileError("info", model.status());
  std::printf(
      "model: %s\nformat version written: %u (reads %u and %u)\nlabels: %zu\nmembers: %zu in %zu "
      "view(s)\n"
      "temperature: %g\n",
      model_path->c_str(), IntentModel::kFormatVersion, IntentModel::kFormatVersionWithoutOos,
      IntentModel::kFormatVersion, model->labels().size(), model->num_members(),
      model->views().size(), model->temperature());
  std::printf("out of scope: %s\n", OutOfScopeDescription(*model).c_str());
  for (size_t i = 0; i < model->views().size(); ++i) {
    const classification::model::ModelView& v = model->views()[i];
    const FeaturizerConfig& f = v.featurizer;
    std::string members;
    for (const auto& m : v.members) {
      absl::StrAppend(&members, members.empty() ? "" : ", ",
                      m.hidden == 0 ? std::string("linear") : absl::StrCat("hidden ", m.hidden));
    }
    std::printf(
        "view %zu: %s; weight rows: %zu of %u buckets (8-bit)\n  featurizer: hash_bits=%d "
        "word_ngrams=1-%d char_ngrams=%d-%d char_mode=%s pair_window=%d word_weight=%g "
        "char_weight=%g tf=%s idf=%s\n",
        i, members.c_str(), v.buckets.size(), 1u << f.hash_bits, f.hash_bits, f.word_ngram_max,
        f.char_ngram_min, f.char_ngram_max, f.char_across_words ? "text" : "word", f.pair_window,
        f.word_weight, f.char_weight, f.sublinear_tf ? "sublinear" : "raw", f.idf ? "on" : "off");
  }
  std::printf("metadata: %s\nlabel list: %s\n", model->metadata().c_str(),
              absl::StrJoin(model->labels(), ", ").c_str());
  return 0;
}

}  // namespace omniroute::model_cli
