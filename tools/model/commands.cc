#include "tools/model/commands.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model/metrics.h"
#include "services/classification/model/trainer.h"
#include "services/classification/model_store.h"
#include "services/common/redis/redis_client.h"
#include "tools/model/args.h"

namespace omniroute::model_cli {
namespace {

using classification::model::Evaluation;
using classification::model::Example;
using classification::model::FeaturizerConfig;
using classification::model::IntentModel;
using classification::model::PredictScratch;
using classification::model::Split;
using classification::model::TrainOptions;
using classification::model::TrainStats;

// The hyperparameter flags shared by train and cv (cv accepts comma-separated lists).
const std::set<std::string> kHyperFlags = {"epochs",
                                           "lr",
                                           "l2",
                                           "hash-bits",
                                           "word-ngrams",
                                           "char-ngrams",
                                           "word-weight",
                                           "char-weight",
                                           "tf",
                                           "idf",
                                           "char-mode",
                                           "pair-window",
                                           "hidden",
                                           "dropout",
                                           "members",
                                           "min-df",
                                           "views",
                                           "label-smoothing",
                                           "calibrate",
                                           "hidden-dropout",
                                           "average-epochs"};

constexpr char kTrainUsage[] =
    "usage: omniroute-model train --data FILE.csv --model OUT [--holdout 0.2] [--seed 42]\n"
    "         [--top-confused 10] [--write-holdout HELD_OUT.csv]\n"
    "       model: [--hidden 128 (0: linear)] [--epochs 20] [--lr 0.1] [--l2 1e-6]\n"
    "         [--dropout 0.8] [--hidden-dropout 0] [--average-epochs 0] [--members 1] [--min-df "
    "2] [--label-smoothing "
    "0]\n"
    "         [--calibrate 0.1 (fraction set aside to fit the temperature; 0: none)]\n"
    "         [--views text+word+words (feature views joined by +; see README)]\n"
    "       features: [--hash-bits 20] [--word-ngrams 2] [--char-ngrams 1-5|0]\n"
    "         [--char-mode text|word] [--pair-window 0] [--word-weight 1] [--char-weight 1]\n"
    "         [--tf sublinear|raw] [--idf on|off]\n";
constexpr char kEvaluateUsage[] =
    "usage: omniroute-model evaluate --data FILE.csv --model MODEL [--top-confused 10]\n";
constexpr char kPredictUsage[] =
    "usage: omniroute-model predict --model MODEL [--top 3] [--features 5]  (one text per "
    "line on stdin)\n";
constexpr char kCvUsage[] =
    "usage: omniroute-model cv --data FILE.csv [--holdout 0.2] [--seed 42] [--folds 5]\n"
    "         [hyperparameter flags of train, each a comma-separated list: the grid]\n";
constexpr char kInfoUsage[] = "usage: omniroute-model info --model MODEL\n";
constexpr char kPublishUsage[] =
    "usage: omniroute-model publish --model MODEL [--redis-host H] [--redis-port P]\n"
    "  checks the model, then makes every classification replica serve it within a second\n"
    "  (Redis hash omniroute:model: version = CRC-32 and size of the file, bytes)\n";

double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

absl::StatusOr<TrainOptions> OptionsFromArgs(const Args& args, uint64_t seed) {
  TrainOptions o;
  o.seed = seed;
  absl::StatusOr<int64_t> epochs = args.Int("epochs", o.epochs, 1, 1000);
  if (!epochs.ok()) return epochs.status();
  o.epochs = static_cast<int>(*epochs);
  absl::StatusOr<double> lr = args.Double("lr", o.learning_rate, 1e-6, 100);
  if (!lr.ok()) return lr.status();
  o.learning_rate = *lr;
  absl::StatusOr<double> l2 = args.Double("l2", o.l2, 0, 0.1);
  if (!l2.ok()) return l2.status();
  o.l2 = *l2;
  absl::StatusOr<int64_t> bits = args.Int("hash-bits", o.featurizer.hash_bits, 8, 24);
  if (!bits.ok()) return bits.status();
  o.featurizer.hash_bits = static_cast<int>(*bits);
  absl::StatusOr<int64_t> words = args.Int("word-ngrams", o.featurizer.word_ngram_max, 0, 8);
  if (!words.ok()) return words.status();
  o.featurizer.word_ngram_max = static_cast<int>(*words);
  if (args.Has("char-ngrams")) {
    const std::string v = args.String("char-ngrams");
    std::vector<std::string> parts = absl::StrSplit(v, '-');
    int lo = 0, hi = 0;
    bool ok =
        parts.size() <= 2 && absl::SimpleAtoi(parts[0], &lo) && absl::SimpleAtoi(parts.back(), &hi);
    if (ok && parts.size() == 1 && lo == 0) hi = 0;
    if (!ok || lo < 0 || hi > 8 || (lo == 0) != (hi == 0) || lo > hi) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--char-ngrams '", v, "' is not MIN-MAX (1 <= MIN <= MAX <= 8), N, or 0 for none"));
    }
    o.featurizer.char_ngram_min = lo;
    o.featurizer.char_ngram_max = hi;
  }
  absl::StatusOr<double> ww = args.Double("word-weight", o.featurizer.word_weight, 1e-3, 1e3);
  if (!ww.ok()) return ww.status();
  o.featurizer.word_weight = static_cast<float>(*ww);
  absl::StatusOr<double> cw = args.Double("char-weight", o.featurizer.char_weight, 1e-3, 1e3);
  if (!cw.ok()) return cw.status();
  o.featurizer.char_weight = static_cast<float>(*cw);
  const std::string tf = args.String("tf", "sublinear");
  if (tf != "sublinear" && tf != "raw") {
    return absl::InvalidArgumentError(absl::StrCat("--tf '", tf, "' is not sublinear or raw"));
  }
  o.featurizer.sublinear_tf = tf == "sublinear";
  const std::string idf = args.String("idf", o.featurizer.idf ? "on" : "off");
  if (idf != "on" && idf != "off") {
    return absl::InvalidArgumentError(absl::StrCat("--idf '", idf, "' is not on or off"));
  }
  o.featurizer.idf = idf == "on";
  const std::string char_mode =
      args.String("char-mode", o.featurizer.char_across_words ? "text" : "word");
  if (char_mode != "word" && char_mode != "text") {
    return absl::InvalidArgumentError(
        absl::StrCat("--char-mode '", char_mode, "' is not word or text"));
  }
  o.featurizer.char_across_words = char_mode == "text";
  absl::StatusOr<int64_t> pairs = args.Int("pair-window", o.featurizer.pair_window, 0, 16);
  if (!pairs.ok()) return pairs.status();
  o.featurizer.pair_window = static_cast<int>(*pairs);
  absl::StatusOr<int64_t> hidden = args.Int("hidden", o.hidden, 0, 4096);
  if (!hidden.ok()) return hidden.status();
  o.hidden = static_cast<int>(*hidden);
  absl::StatusOr<double> dropout = args.Double("dropout", o.dropout, 0, 0.95);
  if (!dropout.ok()) return dropout.status();
  o.dropout = *dropout;
  absl::StatusOr<int64_t> members = args.Int("members", o.members, 1, 8);
  if (!members.ok()) return members.status();
  o.members = static_cast<int>(*members);
  absl::StatusOr<int64_t> min_df = args.Int("min-df", o.min_df, 1, 1000000);
  if (!min_df.ok()) return min_df.status();
  o.min_df = static_cast<int>(*min_df);
  absl::StatusOr<double> smoothing = args.Double("label-smoothing", o.label_smoothing, 0, 0.5);
  if (!smoothing.ok()) return smoothing.status();
  o.label_smoothing = *smoothing;
  absl::StatusOr<double> hidden_dropout = args.Double("hidden-dropout", o.hidden_dropout, 0, 0.9);
  if (!hidden_dropout.ok()) return hidden_dropout.status();
  o.hidden_dropout = *hidden_dropout;
  absl::StatusOr<int64_t> average = args.Int("average-epochs", o.average_epochs, 0, 1000);
  if (!average.ok()) return average.status();
  o.average_epochs = static_cast<int>(*average);
  absl::StatusOr<double> calibrate = args.Double("calibrate", o.calibration_fraction, 0, 0.5);
  if (!calibrate.ok()) return calibrate.status();
  o.calibration_fraction = *calibrate;
  o.views = args.String("views", o.views);
  if (absl::Status s = classification::model::ValidateTrainOptions(o); !s.ok()) return s;
  return o;
}

// Each view as its n-grams, e.g. "w1-2,c1-5text+w1-2,c1-5word+w1-3,p4".
std::string DescribeViews(const TrainOptions& o) {
  absl::StatusOr<std::vector<FeaturizerConfig>> views =
      classification::model::ViewsFromSpec(o.views, o.featurizer);
  if (!views.ok()) return o.views;
  std::vector<std::string> names;
  for (const FeaturizerConfig& v : *views) {
    std::string name = absl::StrCat("w1-", v.word_ngram_max);
    if (v.pair_window > 0) absl::StrAppend(&name, ",p", v.pair_window);
    if (v.char_ngram_max > 0) {
      absl::StrAppend(&name, ",c", v.char_ngram_min, "-", v.char_ngram_max,
                      v.char_across_words ? "text" : "word");
    }
    names.push_back(std::move(name));
  }
  return absl::StrJoin(names, "+");
}

std::string DescribeOptions(const TrainOptions& o) {
  const auto& f = o.featurizer;
  return absl::StrFormat(
      "hash_bits=%d word_ngrams=1-%d char_ngrams=%s word_weight=%g char_weight=%g tf=%s idf=%s "
      "char_mode=%s pair_window=%d views=%s hidden=%d dropout=%g hidden_dropout=%g "
      "average_epochs=%d members=%d "
      "min_df=%d epochs=%d "
      "lr=%g l2=%g label_smoothing=%g calibrate=%g seed=%d",
      f.hash_bits, f.word_ngram_max,
      f.char_ngram_max == 0 ? "none" : absl::StrCat(f.char_ngram_min, "-", f.char_ngram_max),
      f.word_weight, f.char_weight, f.sublinear_tf ? "sublinear" : "raw", f.idf ? "on" : "off",
      f.char_across_words ? "text" : "word", f.pair_window, DescribeViews(o), o.hidden, o.dropout,
      o.hidden_dropout, o.average_epochs, o.members, o.min_df, o.epochs, o.learning_rate, o.l2,
      o.label_smoothing, o.calibration_fraction, o.seed);
}

std::vector<Example> Subset(const std::vector<Example>& all, const std::vector<size_t>& indices) {
  std::vector<Example> out;
  out.reserve(indices.size());
  for (size_t i : indices) out.push_back(all[i]);
  return out;
}

size_t CountLabels(const std::vector<Example>& examples) {
  std::set<std::string> labels;
  for (const Example& e : examples) labels.insert(e.label);
  return labels.size();
}

// How well the model's confidence (its top probability) matches its accuracy.
struct Calibration {
  double confidence = 0;  // mean top probability
  double log_loss = 0;    // mean -ln p(true label), labels unknown to the model left out
  double ece = 0;         // expected calibration error over 10 equal-width confidence bins
};

// Runs the model over `examples`; fills `eval` (and `calibration` when given) and returns the
// mean microseconds per message.
double EvaluateModel(const IntentModel& model, const std::vector<Example>& examples,
                     Evaluation* eval, Calibration* calibration = nullptr) {
  PredictScratch scratch;
  std::map<std::string, int> index;
  for (size_t i = 0; i < model.labels().size(); ++i) index[model.labels()[i]] = static_cast<int>(i);
  constexpr int kBins = 10;
  double bin_count[kBins] = {}, bin_confidence[kBins] = {}, bin_correct[kBins] = {};
  size_t known = 0;
  double elapsed = 0;
  Calibration c;
  for (const Example& e : examples) {
    const double start = WallSeconds();
    const int best = model.PredictIndex(e.text, &scratch);
    elapsed += WallSeconds() - start;
    eval->Add(e.label, model.labels()[best]);
    const double confidence = scratch.scores[best];
    const int bin = std::min(kBins - 1, static_cast<int>(confidence * kBins));
    bin_count[bin] += 1;
    bin_confidence[bin] += confidence;
    bin_correct[bin] += model.labels()[best] == e.label;
    c.confidence += confidence / examples.size();
    if (auto it = index.find(e.label); it != index.end()) {
      c.log_loss -= std::log(std::max(static_cast<double>(scratch.scores[it->second]), 1e-30));
      ++known;
    }
  }
  if (known > 0) c.log_loss /= known;
  for (int b = 0; b < kBins; ++b) {
    c.ece += std::fabs(bin_confidence[b] - bin_correct[b]) / std::max<size_t>(examples.size(), 1);
  }
  if (calibration != nullptr) *calibration = c;
  return examples.empty() ? 0 : elapsed * 1e6 / examples.size();
}

std::string FormatCalibration(const Calibration& c, float temperature) {
  return absl::StrFormat(
      "calibration: temperature %.3f, mean confidence %.4f, log loss %.4f, ECE %.4f\n", temperature,
      c.confidence, c.log_loss, c.ece);
}

std::string HumanBytes(size_t n) {
  if (n >= (1u << 20)) return absl::StrFormat("%.1f MiB", n / 1048576.0);
  if (n >= 1024) return absl::StrFormat("%.1f KiB", n / 1024.0);
  return absl::StrCat(n, " B");
}

}  // namespace

int RunPublish(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, {"model", "redis-host", "redis-port"}, {});
  if (!args.ok()) return UsageError("publish", args.status(), kPublishUsage);
  absl::StatusOr<std::string> model_path = args->Required("model");
  if (!model_path.ok()) return UsageError("publish", model_path.status(), kPublishUsage);
  absl::StatusOr<int64_t> port = args->Int("redis-port", 6379, 1, 65535);
  if (!port.ok()) return UsageError("publish", port.status(), kPublishUsage);
  std::ifstream in(*model_path, std::ios::binary);
  if (!in) return FileError("publish", absl::NotFoundError("cannot read " + *model_path));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Never publish what a replica would refuse.
  absl::StatusOr<IntentModel> model = IntentModel::FromBytes(bytes);
  if (!model.ok()) return FileError("publish", model.status());
  redis::Endpoint endpoint;
  endpoint.host = args->String("redis-host", "127.0.0.1");
  endpoint.port = static_cast<int>(*port);
  auto conn = redis::Connection::Open(endpoint, std::chrono::milliseconds(5000));
  if (!conn.ok()) return FileError("publish", conn.status());
  std::string version =
      absl::StrFormat("%08x-%zu", classification::model::Crc32(bytes), bytes.size());
  auto r =
      (*conn)->Command({"HSET", classification::kPublishedModelKey, "version", version, "bytes",
                        bytes, "published_ms", std::to_string(absl::ToUnixMillis(absl::Now()))});
  if (!r.ok() || r->is_error()) {
    return FileError("publish", r.ok() ? absl::InternalError(r->str) : r.status());
  }
  std::printf("published %s as version %s (%zu labels, %zu bytes)\n", model_path->c_str(),
              version.c_str(), model->labels().size(), bytes.size());
  return 0;
}

std::string Usage() {
  return absl::StrCat(
      "omniroute-model: trains, evaluates and runs the intent model (hashed word and character\n"
      "n-grams, softmax regression). Data is CSV text,label (a header text,label|category|intent\n"
      "is skipped).\n\n",
      kTrainUsage, kEvaluateUsage, kPredictUsage, kCvUsage, kInfoUsage, kPublishUsage,
      kCorrectionsUsage,
      "\nExit codes: 0 ok, 1 failed (bad rows, corrupt model), 2 usage error.\n");
}

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
  return 0;
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
    std::printf("%s\t%.4f\talso: %s\tfeatures: %s\n", p.labels[0].label.c_str(),
                p.labels[0].probability, alternatives.empty() ? "-" : alternatives.c_str(),
                feats.empty() ? "-" : feats.c_str());
    std::fflush(stdout);
  }
  return 0;
}

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
    // Calibration never changes which label wins, so it would only double the time here.
    if (!point.count("calibrate")) o->calibration_fraction = 0;
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

int RunInfo(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, {"model"}, {});
  if (!args.ok()) return UsageError("info", args.status(), kInfoUsage);
  absl::StatusOr<std::string> model_path = args->Required("model");
  if (!model_path.ok()) return UsageError("info", model_path.status(), kInfoUsage);
  absl::StatusOr<IntentModel> model = IntentModel::FromFile(*model_path);
  if (!model.ok()) return FileError("info", model.status());
  std::printf(
      "model: %s\nformat version: %u\nlabels: %zu\nmembers: %zu in %zu view(s)\n"
      "temperature: %g\n",
      model_path->c_str(), IntentModel::kFormatVersion, model->labels().size(),
      model->num_members(), model->views().size(), model->temperature());
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
