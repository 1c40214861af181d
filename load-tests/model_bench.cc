// omniroute-model-bench: per-message inference latency of the intent model over the held-out
// Banking77 messages, beside a baseline measured in the same run: featurising the message alone
// (normalising, n-gram hashing, sorting; no scoring). Prints figures, never passes or fails on
// them (see load-tests/README.md "Intent model inference").
//   omniroute-model-bench [--data data/banking77/train.csv] [--model MODEL] [--holdout 0.2]
//     [--seed 42] [--rounds 5] [--warmup 2] [--train-epochs N]
// Without --model it trains one (default options) on the training part of the split first.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "services/classification/classifier_worker.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/featurizer.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model/trainer.h"
#include "services/common/build_info.h"

namespace omniroute::bench {
namespace {

using classification::model::Example;
using classification::model::Featurizer;
using classification::model::FeaturizerScratch;
using classification::model::IntentModel;
using classification::model::PredictOptions;
using classification::model::PredictScratch;
using classification::model::SparseFeature;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string data = "data/banking77/train.csv";
  std::string model;
  double holdout = 0.2;
  uint64_t seed = 42;
  int rounds = 5;
  int warmup = 2;
  int train_epochs = 0;  // 0: the default
};

constexpr char kUsage[] =
    "usage: omniroute-model-bench [--data FILE.csv] [--model MODEL] [--holdout 0.2] [--seed 42] "
    "[--rounds 5] [--warmup 2] [--train-epochs N] | --help | --version\n";

int Usage(const std::string& why) {
  std::fprintf(stderr, "omniroute-model-bench: %s\n%s", why.c_str(), kUsage);
  return 2;
}

struct Figures {
  double p50 = 0, p99 = 0, max = 0, per_second = 0;
  double cpu_us = 0;  // mean thread CPU time per message: what preemption does not inflate
};

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

Figures Summarise(std::vector<double> us, double total_seconds) {
  Figures f;
  if (us.empty()) return f;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))];
  };
  f.p50 = at(0.50);
  f.p99 = at(0.99);
  f.max = us.back();
  f.per_second = us.size() / total_seconds;
  return f;
}

// Times `fn` on every message (fn(i) for i in [0, messages)), `rounds` times after `warmup`
// untimed passes.
template <typename Fn>
Figures Measure(size_t messages, int warmup, int rounds, Fn fn) {
  for (int w = 0; w < warmup; ++w) {
    for (size_t i = 0; i < messages; ++i) fn(i);
  }
  std::vector<double> us;
  us.reserve(messages * rounds);
  double total = 0;
  const double cpu0 = ThreadCpuSeconds();
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < messages; ++i) {
      const auto t0 = Clock::now();
      fn(i);
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      us.push_back(s * 1e6);
      total += s;
    }
  }
  const double cpu = ThreadCpuSeconds() - cpu0;
  const size_t count = us.size();
  Figures f = Summarise(std::move(us), total);
  // The clock reads are inside the CPU time too (~2 x 20 ns per message): negligible here.
  f.cpu_us = count == 0 ? 0 : cpu * 1e6 / count;
  return f;
}

int Run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("%s", kUsage);
      return 0;
    }
    if (flag == "--version") {
      std::printf("%s\n", VersionLine("omniroute-model-bench").c_str());
      return 0;
    }
    if (i + 1 >= argc) return Usage(flag + " needs a value");
    const std::string value = argv[++i];
    bool ok = true;
    if (flag == "--data") {
      o.data = value;
    } else if (flag == "--model") {
      o.model = value;
    } else if (flag == "--holdout") {
      ok = absl::SimpleAtod(value, &o.holdout) && o.holdout > 0 && o.holdout < 1;
    } else if (flag == "--seed") {
      ok = absl::SimpleAtoi(value, &o.seed);
    } else if (flag == "--rounds") {
      ok = absl::SimpleAtoi(value, &o.rounds) && o.rounds > 0;
    } else if (flag == "--warmup") {
      ok = absl::SimpleAtoi(value, &o.warmup) && o.warmup >= 0;
    } else if (flag == "--train-epochs") {
      ok = absl::SimpleAtoi(value, &o.train_epochs) && o.train_epochs > 0;
    } else {
      return Usage("unknown flag " + flag);
    }
    if (!ok) return Usage("bad value '" + value + "' for " + flag);
  }

  auto examples = classification::model::ReadLabelledCsvFile(o.data);
  if (!examples.ok()) return Usage(std::string(examples.status().message()));
  const auto split = classification::model::StratifiedSplit(*examples, o.holdout, o.seed);
  std::vector<Example> held, train;
  for (size_t i : split.holdout) held.push_back((*examples)[i]);
  for (size_t i : split.train) train.push_back((*examples)[i]);

  absl::StatusOr<IntentModel> trained = absl::UnknownError("unset");
  if (!o.model.empty()) {
    trained = IntentModel::FromFile(o.model);
  } else {
    classification::model::TrainOptions t;
    t.seed = o.seed;
    if (o.train_epochs > 0) t.epochs = o.train_epochs;
    std::printf("training a model (default options, %zu examples)...\n", train.size());
    std::fflush(stdout);
    trained = classification::model::TrainIntentModel(train, t);
  }
  if (!trained.ok()) {
    std::fprintf(stderr, "omniroute-model-bench: %s\n",
                 std::string(trained.status().message()).c_str());
    return 1;
  }
  // As the classification service holds it, so the worker's own function can be timed.
  const classification::LoadedModel loaded{std::move(*trained), "bench"};
  const IntentModel* model = &loaded.model;

  const Featurizer featurizer(model->featurizer_config());
  FeaturizerScratch fscratch;
  std::vector<SparseFeature> features;
  PredictScratch pscratch;
  PredictOptions explain;  // what the classification service will ask for
  int sink = 0;            // keeps the compiler from dropping the work

  const size_t n = held.size();
  const Figures base = Measure(n, o.warmup, o.rounds, [&](size_t i) {
    featurizer.Featurize(held[i].text, &fscratch, &features);
    sink += static_cast<int>(features.size());
  });
  const Figures fast = Measure(n, o.warmup, o.rounds, [&](size_t i) {
    sink += model->PredictIndex(held[i].text, &pscratch);
  });
  const Figures full = Measure(n, o.warmup, o.rounds, [&](size_t i) {
    sink += static_cast<int>(model->Predict(held[i].text, explain, &pscratch).features.size());
  });
  // The two calls the classification service makes, without a scratch of their own: the stream
  // worker's own function (classifier_worker.cc: the subject and body of the interaction, here
  // an empty subject and the message as the body; top label, no features) and Classify's (the
  // defaults).
  std::vector<classification::ClassifyInput> inputs(n);
  for (size_t i = 0; i < n; ++i) inputs[i].body = held[i].text;
  const Figures worker = Measure(n, o.warmup, o.rounds, [&](size_t i) {
    sink += static_cast<int>(classification::Predict(&loaded, inputs[i]).intent.size());
  });
  const Figures rpc = Measure(n, o.warmup, o.rounds, [&](size_t i) {
    sink += static_cast<int>(model->Predict(held[i].text).features.size());
  });

  std::printf("== omniroute-model-bench results ==\n");
  std::printf("model: %s, %zu labels, %zu weight rows, %s\n",
              o.model.empty() ? "(trained in this run)" : o.model.c_str(), model->labels().size(),
              model->num_rows(), model->metadata().empty() ? "-" : model->metadata().c_str());
  std::printf(
      "messages: %zu held-out (holdout %.2f seed %llu) x %d rounds after %d warm-up "
      "passes, one thread\n",
      held.size(), o.holdout, static_cast<unsigned long long>(o.seed), o.rounds, o.warmup);
  std::printf("%-44s %8s %8s %8s %10s %12s\n", "path", "p50 us", "p99 us", "max us", "msgs/s",
              "cpu us/msg");
  auto row = [](const char* name, const Figures& f) {
    std::printf("%-44s %8.2f %8.2f %8.1f %10.0f %12.2f\n", name, f.p50, f.p99, f.max, f.per_second,
                f.cpu_us);
  };
  row("baseline: featurize only (no scoring)", base);
  row("model: PredictIndex (label only)", fast);
  row("model: Predict (top 3 + 5 features)", full);
  row("service: worker Predict (top 1, no scratch)", worker);
  row("service: Classify Predict (defaults)", rpc);
  std::printf("ratio PredictIndex/baseline: p50 %.2fx, p99 %.2fx\n", fast.p50 / base.p50,
              fast.p99 / base.p99);
  std::printf("ratio Predict/baseline: p50 %.2fx, p99 %.2fx\n", full.p50 / base.p50,
              full.p99 / base.p99);
  std::printf("ratio worker Predict/baseline: p50 %.2fx, p99 %.2fx\n", worker.p50 / base.p50,
              worker.p99 / base.p99);
  std::printf("(checksum %d)\n", sink & 0xFF);
  return 0;
}

}  // namespace
}  // namespace omniroute::bench

int main(int argc, char** argv) { return omniroute::bench::Run(argc, argv); }
