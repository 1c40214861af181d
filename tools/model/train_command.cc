// omniroute-model train: trains on a stratified split of the data, writes the model and scores
// it on the held-out part.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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
using classification::model::TrainStats;

const char kTrainUsage[] =
    "usage: omniroute-model train --data FILE.csv --model OUT [--holdout 0.2] [--seed 42]\n"
    "         [--top-confused 10] [--write-holdout HELD_OUT.csv]\n"
    "       model: [--hidden 128 (0: linear)] [--epochs 20] [--lr 0.1] [--l2 1e-6]\n"
    "         [--dropout 0.8] [--hidden-dropout 0] [--average-epochs 0] [--members 1] [--min-df "
    "2] [--label-smoothing "
    "0]\n"
    "         [--calibrate 0.1 (fraction set aside to fit the temperature; 0: none)]\n"
    "         [--views text+word+words (feature views joined by +; see README)]\n"
    "         [--oos-folds 2] [--oos-intents 0.25] [--oos-reject 0.03] [--oos-threshold X]\n"
    "       features: [--hash-bits 20] [--word-ngrams 2] [--char-ngrams 1-5|0]\n"
    "         [--char-mode text|word] [--pair-window 0] [--word-weight 1] [--char-weight 1]\n"
    "         [--tf sublinear|raw] [--idf on|off]\n";
namespace {

std::string HumanBytes(size_t n) {
  if (n >= (1u << 20)) return absl::StrFormat("%.1f MiB", n / 1048576.0);
  if (n >= 1024) return absl::StrFormat("%.1f KiB", n / 1024.0);
  return absl::StrCat(n, " B");
}

}  // namespace

int RunTrain(const std::vector<std::string>& argv) {
  std::set<std::string> flags = {"data", "model",        "holdout",
                                 "seed", "top-confused", "write-holdout"};
  flags.insert(kHyperFlags.begin(), kHyperFlags.end());
  absl::StatusOr<Args> args = Args::Parse(argv, flags, {});
  if (!args.ok()) return UsageError("train", args.status(), kTrainUsage);
  absl::StatusOr<std::string> data = args->Required("data");
  if (!data.ok()) return UsageError("train", data.status(), kTrainUsage);
  absl::StatusOr<std::string> model_path = args->Required("model");
  if (!model_path.ok()) return UsageError("train", model_path.status(), kTrainUsage);
  absl::StatusOr<double> holdout = args->Double("holdout", 0.2, 0, 0.9);
  if (!holdout.ok()) return UsageError("train", holdout.status(), kTrainUsage);
  absl::StatusOr<uint64_t> seed = args->Uint64("seed", 42);
  if (!seed.ok()) return UsageError("train", seed.status(), kTrainUsage);
  absl::StatusOr<int64_t> top_confused = args->Int("top-confused", 10, 0, 10000);
  if (!top_confused.ok()) return UsageError("train", top_confused.status(), kTrainUsage);
  absl::StatusOr<TrainOptions> options = OptionsFromArgs(*args, *seed);
  if (!options.ok()) return UsageError("train", options.status(), kTrainUsage);

  absl::StatusOr<std::vector<Example>> examples = classification::model::ReadLabelledCsvFile(*data);
  if (!examples.ok()) return FileError("train", examples.status());
  std::printf("data: %s: %zu examples, %zu labels\n", data->c_str(), examples->size(),
              CountLabels(*examples));

  const Split split = classification::model::StratifiedSplit(*examples, *holdout, *seed);
  const std::vector<Example> train = Subset(*examples, split.train);
  const std::vector<Example> held = Subset(*examples, split.holdout);
  std::printf("split: stratified by label, holdout %.2f, seed %llu: train %zu, holdout %zu\n",
              *holdout, static_cast<unsigned long long>(*seed), train.size(), held.size());
  std::printf("options: %s\n", DescribeOptions(*options).c_str());
  std::fflush(stdout);
  if (args->Has("write-holdout")) {
    // The held-out rows as CSV, so that `evaluate` (or another tool) can score exactly them.
    const std::string path = args->String("write-holdout");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "text,label\n";
    for (const Example& e : held) out << CsvField(e.text) << ',' << CsvField(e.label) << '\n';
    out.close();
    if (!out) {
      std::fprintf(stderr, "omniroute-model train: %s: cannot write\n", path.c_str());
      return kExitFailure;
    }
  }

  const std::string metadata =
      absl::StrFormat("omniroute-model train on %s (%zu examples, holdout %.2f seed %llu); %s",
                      std::filesystem::path(*data).filename().string(), train.size(), *holdout,
                      static_cast<unsigned long long>(*seed), DescribeOptions(*options));
  TrainStats stats;
  const double wall0 = WallSeconds(), cpu0 = CpuSeconds();
  absl::StatusOr<IntentModel> model =
      classification::model::TrainIntentModel(train, *options, metadata, &stats);
  const double wall = WallSeconds() - wall0, cpu = CpuSeconds() - cpu0;
  if (!model.ok()) {
    std::fprintf(stderr, "omniroute-model train: %s\n",
                 std::string(model.status().message()).c_str());
    return kExitFailure;
  }
  std::printf(
      "train time: %.2f s wall, %.2f s cpu (%zu examples, %zu labels, %zu weight rows, last "
      "epoch mean loss %.4f)\n",
      wall, cpu, stats.examples, stats.labels, stats.rows, stats.final_epoch_loss);
  std::printf("out of scope: %s\n", stats.out_of_scope.c_str());
  const std::string bytes = model->ToBytes();
  if (absl::Status s = model->ToFile(*model_path); !s.ok()) {
    std::fprintf(stderr, "omniroute-model train: %s\n", std::string(s.message()).c_str());
    return kExitFailure;
  }
  std::printf("model: %s (%s, CRC-32 %08x)\n", model_path->c_str(),
              HumanBytes(bytes.size()).c_str(),
              classification::model::Crc32(absl::string_view(bytes).substr(0, bytes.size() - 4)));

  if (held.empty()) {
    std::printf(
        "no held-out split (--holdout 0): trained on all %zu examples, nothing "
        "evaluated\n",
        train.size());
    return 0;
  }
  Evaluation eval(model->labels());
  Calibration calibration;
  const double us = EvaluateModel(*model, held, &eval, &calibration);
  std::printf("\nheld-out evaluation (%zu examples, %.1f us/message):\n%s%s", held.size(), us,
              eval.Format(static_cast<int>(*top_confused)).c_str(),
              FormatCalibration(calibration, model->temperature()).c_str());
  std::printf("%s", HeldOutOutOfScope(*model, held).c_str());
  return 0;
}

}  // namespace omniroute::model_cli
