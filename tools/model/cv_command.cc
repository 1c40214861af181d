// omniroute-model cv: k-fold cross-validation of a hyperparameter grid on the training portion.
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model/metrics.h"
#include "services/classification/model/trainer.h"
#include "tools/model/args.h"
#include "tools/model/commands.h"
#include "tools/model/evaluation.h"
#include "tools/model/example_sets.h"
#include "tools/model/train_flags.h"

namespace omniroute::model_cli {

using classification::model::Evaluation;
using classification::model::Example;
using classification::model::IntentModel;
using classification::model::Split;
using classification::model::TrainOptions;

const char kCvUsage[] =
    "usage: omniroute-model cv --data FILE.csv [--holdout 0.2] [--seed 42] [--folds 5]\n"
    "         [hyperparameter flags of train, each a comma-separated list: the grid]\n";
int RunCrossValidate(const std::vector<std::string>& argv) {
  std::set<std::string> flags = {"data", "holdout", "seed", "folds"};
  flags.insert(kHyperFlags.begin(), kHyperFlags.end());
  absl::StatusOr<Args> args = Args::Parse(argv, flags, {});
  if (!args.ok()) return UsageError("cv", args.status(), kCvUsage);
  absl::StatusOr<std::string> data = args->Required("data");
  if (!data.ok()) return UsageError("cv", data.status(), kCvUsage);
  absl::StatusOr<double> holdout = args->Double("holdout", 0.2, 0, 0.9);
  if (!holdout.ok()) return UsageError("cv", holdout.status(), kCvUsage);
  absl::StatusOr<uint64_t> seed = args->Uint64("seed", 42);
  if (!seed.ok()) return UsageError("cv", seed.status(), kCvUsage);
  absl::StatusOr<int64_t> folds = args->Int("folds", 5, 2, 20);
  if (!folds.ok()) return UsageError("cv", folds.status(), kCvUsage);

  // The grid: the cartesian product of every comma-separated hyperparameter list.
  std::vector<std::map<std::string, std::string>> grid = {{}};
  for (const auto& [name, value] : args->values()) {
    if (!kHyperFlags.count(name)) continue;
    std::vector<std::map<std::string, std::string>> next;
    for (const auto& point : grid) {
      for (absl::string_view v : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        auto p = point;
        p[name] = std::string(v);
        next.push_back(std::move(p));
      }
    }
    grid = std::move(next);
  }
  std::vector<TrainOptions> configs;
  for (const auto& point : grid) {
    absl::StatusOr<TrainOptions> o = OptionsFromArgs(Args::FromMap(point), *seed);
    if (!o.ok()) return UsageError("cv", o.status(), kCvUsage);
    // Calibration and the out-of-scope detector never change which label wins, so they would
    // only add time here.
    if (!point.count("calibrate")) o->calibration_fraction = 0;
    if (!point.count("oos-folds")) o->oos_folds = 0;
    configs.push_back(*o);
  }

  absl::StatusOr<std::vector<Example>> examples = classification::model::ReadLabelledCsvFile(*data);
  if (!examples.ok()) return FileError("cv", examples.status());
  // Only the training portion of the same split `train` makes: the held-out part stays unseen.
  const Split split = classification::model::StratifiedSplit(*examples, *holdout, *seed);
  const std::vector<Example> pool = Subset(*examples, split.train);
  const std::vector<int> fold_of =
      classification::model::StratifiedFolds(pool, static_cast<int>(*folds), *seed);
  std::printf(
      "cv: %s: %zu-fold stratified cross-validation on the %zu training examples "
      "(holdout %.2f seed %llu set aside), %zu configurations\n",
      data->c_str(), static_cast<size_t>(*folds), pool.size(), *holdout,
      static_cast<unsigned long long>(*seed), configs.size());
  std::printf("%-10s %-8s %-10s %-8s  %s\n", "accuracy", "+-sd", "macro_f1", "s/fold", "options");
  std::fflush(stdout);
  double best = -1;
  std::string best_desc;
  for (const TrainOptions& o : configs) {
    std::vector<double> accs, f1s;
    double seconds = 0;
    for (int f = 0; f < *folds; ++f) {
      std::vector<Example> tr, te;
      for (size_t i = 0; i < pool.size(); ++i) (fold_of[i] == f ? te : tr).push_back(pool[i]);
      const double t0 = WallSeconds();
      absl::StatusOr<IntentModel> m = classification::model::TrainIntentModel(tr, o);
      seconds += WallSeconds() - t0;
      if (!m.ok()) {
        std::fprintf(stderr, "omniroute-model cv: %s\n", std::string(m.status().message()).c_str());
        return kExitFailure;
      }
      Evaluation eval(m->labels());
      EvaluateModel(*m, te, &eval);
      accs.push_back(eval.accuracy());
      f1s.push_back(eval.macro_f1());
    }
    double mean = 0, f1 = 0, var = 0;
    for (size_t i = 0; i < accs.size(); ++i) {
      mean += accs[i] / accs.size();
      f1 += f1s[i] / f1s.size();
    }
    for (double a : accs) var += (a - mean) * (a - mean) / (accs.size() - 1);
    const std::string desc = DescribeOptions(o);
    std::printf("%-10.4f %-8.4f %-10.4f %-8.2f  %s\n", mean, std::sqrt(var), f1,
                seconds / accs.size(), desc.c_str());
    std::fflush(stdout);
    if (mean > best) {
      best = mean;
      best_desc = desc;
    }
  }
  std::printf("best: %.4f  %s\n", best, best_desc.c_str());
  return 0;
}

}  // namespace omniroute::model_cli
