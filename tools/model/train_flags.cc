#include "tools/model/train_flags.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace omniroute::model_cli {

using classification::model::FeaturizerConfig;
using classification::model::TrainOptions;

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
                                           "average-epochs",
                                           "oos-folds",
                                           "oos-intents",
                                           "oos-reject",
                                           "oos-threshold"};

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
  absl::StatusOr<int64_t> oos_folds = args.Int("oos-folds", o.oos_folds, 0, 8);
  if (!oos_folds.ok()) return oos_folds.status();
  o.oos_folds = static_cast<int>(*oos_folds);
  absl::StatusOr<double> oos_intents = args.Double("oos-intents", o.oos_holdout_intents, 0.01, 0.5);
  if (!oos_intents.ok()) return oos_intents.status();
  o.oos_holdout_intents = *oos_intents;
  absl::StatusOr<double> oos_reject = args.Double("oos-reject", o.oos_reject_rate, 0, 0.5);
  if (!oos_reject.ok()) return oos_reject.status();
  o.oos_reject_rate = *oos_reject;
  absl::StatusOr<double> oos_threshold = args.Double("oos-threshold", o.oos_threshold, 0, 1);
  if (!oos_threshold.ok()) return oos_threshold.status();
  o.oos_threshold = *oos_threshold;
  o.views = args.String("views", o.views);
  if (absl::Status s = classification::model::ValidateTrainOptions(o); !s.ok()) return s;
  return o;
}

namespace {

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

}  // namespace

std::string DescribeOptions(const TrainOptions& o) {
  const auto& f = o.featurizer;
  return absl::StrFormat(
      "hash_bits=%d word_ngrams=1-%d char_ngrams=%s word_weight=%g char_weight=%g tf=%s idf=%s "
      "char_mode=%s pair_window=%d views=%s hidden=%d dropout=%g hidden_dropout=%g "
      "average_epochs=%d members=%d "
      "min_df=%d epochs=%d "
      "lr=%g l2=%g label_smoothing=%g calibrate=%g oos_folds=%d oos_intents=%g oos_reject=%g "
      "oos_threshold=%s seed=%d",
      f.hash_bits, f.word_ngram_max,
      f.char_ngram_max == 0 ? "none" : absl::StrCat(f.char_ngram_min, "-", f.char_ngram_max),
      f.word_weight, f.char_weight, f.sublinear_tf ? "sublinear" : "raw", f.idf ? "on" : "off",
      f.char_across_words ? "text" : "word", f.pair_window, DescribeViews(o), o.hidden, o.dropout,
      o.hidden_dropout, o.average_epochs, o.members, o.min_df, o.epochs, o.learning_rate, o.l2,
      o.label_smoothing, o.calibration_fraction, o.oos_folds, o.oos_holdout_intents,
      o.oos_reject_rate, o.oos_threshold < 0 ? "calibrated" : absl::StrCat(o.oos_threshold),
      o.seed);
}

}  // namespace omniroute::model_cli
