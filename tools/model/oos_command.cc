// omniroute-model oos-eval: the out-of-scope detector under the leave-intents-out protocol, and
// the out-of-scope lines of train, info and predict.
#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/classification/model/out_of_scope.h"
#include "services/classification/model/trainer.h"
#include "tools/model/args.h"
#include "tools/model/commands.h"
#include "tools/model/evaluation.h"
#include "tools/model/example_sets.h"
#include "tools/model/train_flags.h"

namespace omniroute::model_cli {

using classification::model::Example;
using classification::model::IntentModel;
using classification::model::kNeverOutOfScope;
using classification::model::kOutOfScopeSignals;
using classification::model::PredictScratch;
using classification::model::TrainOptions;

const char kOosEvalUsage[] =
    "usage: omniroute-model oos-eval --data FILE.csv [--holdout-intents 0.25] [--holdout 0.2]\n"
    "         [--seed 42] [train's model and feature flags, --oos-folds 2 --oos-intents 0.25\n"
    "         --oos-reject 0.03 --oos-threshold X]\n";

std::string OutOfScopeDescription(const IntentModel& model) {
  const float t = model.oos_threshold();
  if (!model.has_oos_detector()) {
    return t == kNeverOutOfScope
               ? std::string("no detector: never out of scope (score: 1 - top probability)")
               : absl::StrFormat("no detector: threshold %.4f on 1 - top probability", t);
  }
  std::vector<std::string> w;
  for (size_t j = 0; j < kOutOfScopeSignals; ++j) {
    w.push_back(absl::StrFormat("%s %+.3g", classification::model::kOutOfScopeSignalNames[j],
                                model.oos_detector().weights[j]));
  }
  return absl::StrFormat(
      "threshold %.4f (a score at or above it: none of the intents); logistic: bias %+.3g, %s", t,
      model.oos_detector().bias, absl::StrJoin(w, ", "));
}

std::string HeldOutOutOfScope(const IntentModel& model, const std::vector<Example>& held) {
  if (model.oos_threshold() == kNeverOutOfScope || held.empty()) {
    return "out of scope: no threshold, none rejected\n";
  }
  PredictScratch s;
  size_t rejected = 0, kept_correct = 0;
  for (const Example& e : held) {
    const int best = model.PredictIndex(e.text, &s);
    const bool out = model.OutOfScopeScore(s) >= model.oos_threshold();
    rejected += out;
    kept_correct += !out && model.labels()[best] == e.label;
  }
  return absl::StrFormat(
      "out of scope at threshold %.4f: %zu of %zu held-out (in-scope) messages rejected (%.2f "
      "%%); accuracy counting them as wrong %.4f\n",
      model.oos_threshold(), rejected, held.size(), 100.0 * rejected / held.size(),
      static_cast<double>(kept_correct) / held.size());
}

namespace {

// One scored message of the evaluation.
struct Scored {
  bool oos = false;      // of a held-out intent
  bool correct = false;  // in scope and the top label is the true one
  float score = 0;       // the detector's
  float signals[kOutOfScopeSignals] = {};
};

// At `threshold`: in-scope rejected share, accuracy with rejection, OOS recall and precision.
struct Operating {
  double rejected = 0, accuracy = 0, recall = 0, precision = 0;
};

Operating At(const std::vector<Scored>& v, const std::vector<float>& score, float threshold) {
  size_t in = 0, in_ok = 0, in_rejected = 0, oos = 0, oos_caught = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const bool flagged = score[i] >= threshold;
    if (v[i].oos) {
      ++oos;
      oos_caught += flagged;
    } else {
      ++in;
      in_rejected += flagged;
      in_ok += v[i].correct && !flagged;
    }
  }
  Operating o;
  o.rejected = in > 0 ? static_cast<double>(in_rejected) / in : 0;
  o.accuracy = in > 0 ? static_cast<double>(in_ok) / in : 0;
  o.recall = oos > 0 ? static_cast<double>(oos_caught) / oos : 0;
  o.precision = oos_caught + in_rejected > 0
                    ? static_cast<double>(oos_caught) / (oos_caught + in_rejected)
                    : 0;
  return o;
}

// The threshold that rejects `rate` of the in-scope messages of `v` under `score` (measured on
// the test messages: for comparing signals at the same cost, not an operating point).
float MatchedThreshold(const std::vector<Scored>& v, const std::vector<float>& score, double rate) {
  std::vector<float> in;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].oos) in.push_back(score[i]);
  }
  return classification::model::ThresholdForRejectRate(in, rate);
}

}  // namespace

int RunOosEval(const std::vector<std::string>& argv) {
  std::set<std::string> flags = {"data", "holdout-intents", "holdout", "seed"};
  flags.insert(kHyperFlags.begin(), kHyperFlags.end());
  absl::StatusOr<Args> args = Args::Parse(argv, flags, {});
  if (!args.ok()) return UsageError("oos-eval", args.status(), kOosEvalUsage);
  absl::StatusOr<std::string> data = args->Required("data");
  if (!data.ok()) return UsageError("oos-eval", data.status(), kOosEvalUsage);
  absl::StatusOr<double> fraction = args->Double("holdout-intents", 0.25, 0.01, 0.9);
  if (!fraction.ok()) return UsageError("oos-eval", fraction.status(), kOosEvalUsage);
  absl::StatusOr<double> holdout = args->Double("holdout", 0.2, 0.01, 0.9);
  if (!holdout.ok()) return UsageError("oos-eval", holdout.status(), kOosEvalUsage);
  absl::StatusOr<uint64_t> seed = args->Uint64("seed", 42);
  if (!seed.ok()) return UsageError("oos-eval", seed.status(), kOosEvalUsage);
  absl::StatusOr<TrainOptions> options = OptionsFromArgs(*args, *seed);
  if (!options.ok()) return UsageError("oos-eval", options.status(), kOosEvalUsage);
  absl::StatusOr<std::vector<Example>> examples = classification::model::ReadLabelledCsvFile(*data);
  if (!examples.ok()) return FileError("oos-eval", examples.status());

  // A seeded choice of intents is held out entirely (a different draw from the nested one
  // inside training, which sees only the other intents anyway).
  std::set<std::string> label_set;
  for (const Example& e : *examples) label_set.insert(e.label);
  const std::vector<std::string> labels(label_set.begin(), label_set.end());
  const size_t n_held = static_cast<size_t>(std::lround(labels.size() * *fraction));
  if (n_held < 1 || n_held + 2 > labels.size()) {
    std::fprintf(stderr,
                 "omniroute-model oos-eval: --holdout-intents %.2f of %zu labels holds %zu out: "
                 "need at least 1 held out and 2 in scope\n",
                 *fraction, labels.size(), n_held);
    return kExitUsage;
  }
  std::vector<size_t> order(labels.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(*seed ^ 0x6576616C6F6F73ULL);
  classification::model::SeededShuffle(&order, &rng);
  std::set<std::string> held;
  for (size_t i = 0; i < n_held; ++i) held.insert(labels[order[i]]);
  std::vector<Example> in_scope, oos;
  for (const Example& e : *examples) (held.count(e.label) ? oos : in_scope).push_back(e);
  const classification::model::Split split =
      classification::model::StratifiedSplit(in_scope, *holdout, *seed);
  const std::vector<Example> train = Subset(in_scope, split.train);
  const std::vector<Example> test = Subset(in_scope, split.holdout);
  std::printf(
      "data: %s: %zu examples, %zu labels\nheld-out intents (seed %llu): %zu of %zu: %s\n"
      "in scope: train %zu, test %zu (stratified, holdout %.2f); out of scope: %zu messages\n"
      "options: %s\n",
      data->c_str(), examples->size(), labels.size(), static_cast<unsigned long long>(*seed),
      n_held, labels.size(), absl::StrJoin(held, ", ").c_str(), train.size(), test.size(), *holdout,
      oos.size(), DescribeOptions(*options).c_str());
  std::fflush(stdout);

  classification::model::TrainStats stats;
  const double wall0 = WallSeconds();
  absl::StatusOr<IntentModel> model =
      classification::model::TrainIntentModel(train, *options, "oos-eval", &stats);
  if (!model.ok()) {
    std::fprintf(stderr, "omniroute-model oos-eval: %s\n",
                 std::string(model.status().message()).c_str());
    return kExitFailure;
  }
  std::printf("train time: %.2f s wall\nout of scope: %s\n", WallSeconds() - wall0,
              stats.out_of_scope.c_str());

  std::vector<Scored> scored;
  PredictScratch s;
  double score_seconds = 0;
  for (const std::vector<Example>* set : {&test, static_cast<const std::vector<Example>*>(&oos)}) {
    for (const Example& e : *set) {
      Scored r;
      r.oos = set == &oos;
      const int best = model->PredictIndex(e.text, &s);
      r.correct = !r.oos && model->labels()[best] == e.label;
      const double t0 = WallSeconds();
      r.score = model->OutOfScopeScore(s);
      score_seconds += WallSeconds() - t0;
      model->OutOfScopeSignals(s, r.signals);
      scored.push_back(r);
    }
  }
  std::vector<float> score;
  for (const Scored& r : scored) score.push_back(r.score);
  const float threshold = model->oos_threshold();
  const Operating none = At(scored, score, kNeverOutOfScope);
  const Operating d = At(scored, score, threshold);
  std::printf(
      "\nout-of-scope score: %.2f us/message on top of the prediction\n"
      "default threshold: %.4f\n"
      "in-scope accuracy without OOS detection: %.4f\n"
      "in-scope accuracy with OOS detection: %.4f\n"
      "in-scope accuracy drop: %.2f points (in-scope messages rejected: %.2f %%)\n"
      "oos recall: %.4f\noos precision: %.4f (%zu in-scope and %zu out-of-scope test messages)\n",
      score_seconds * 1e6 / std::max<size_t>(scored.size(), 1), threshold, none.accuracy,
      d.accuracy, 100 * (none.accuracy - d.accuracy), 100 * d.rejected, d.recall, d.precision,
      test.size(), oos.size());

  std::printf(
      "\nthreshold  in-scope rejected  accuracy  drop (points)  oos recall  oos precision\n");
  std::vector<float> grid = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f};
  if (threshold <= 1) grid.push_back(threshold);
  std::sort(grid.begin(), grid.end());
  for (float t : grid) {
    const Operating o = At(scored, score, t);
    std::printf("%9.4f  %16.2f%%  %8.4f  %13.2f  %10.4f  %13.4f%s\n", t, 100 * o.rejected,
                o.accuracy, 100 * (none.accuracy - o.accuracy), o.recall, o.precision,
                t == threshold ? "  <- default" : "");
  }

  // Each signal alone against the calibrator, at the same in-scope rejection as the default.
  std::vector<bool> positive;
  for (const Scored& r : scored) positive.push_back(r.oos);
  const double rate = std::max(d.rejected, 0.005);
  std::printf(
      "\nsignals compared at the default's in-scope rejection (%.2f %%, thresholds set on the "
      "test messages: a comparison, not an operating point)\n"
      "score                      AUROC   oos recall  drop (points)\n",
      100 * rate);
  // +1: higher means out of scope; -1: lower does.
  const int sign[kOutOfScopeSignals] = {-1, -1, +1, -1, -1, -1, -1, -1, -1, -1, -1};
  for (size_t j = 0; j <= kOutOfScopeSignals; ++j) {
    std::vector<float> v = score;
    if (j < kOutOfScopeSignals) {
      for (size_t i = 0; i < scored.size(); ++i) v[i] = sign[j] * scored[i].signals[j];
    }
    const Operating o = At(scored, v, MatchedThreshold(scored, v, rate));
    std::printf("%-25s  %.4f  %10.4f  %13.2f\n",
                j < kOutOfScopeSignals ? classification::model::kOutOfScopeSignalNames[j]
                                       : "calibrator (the score)",
                classification::model::RocAuc(v, positive), o.recall,
                100 * (none.accuracy - o.accuracy));
  }
  return 0;
}

}  // namespace omniroute::model_cli
