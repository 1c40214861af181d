#pragma once

#include <string>
#include <vector>

#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"
#include "services/classification/model/metrics.h"

// Scoring a model on labelled examples (accuracy, calibration, speed) for train, evaluate and cv.
namespace omniroute::model_cli {

// Process CPU time and a monotonic wall clock, in seconds.
double CpuSeconds();
double WallSeconds();

// How well the model's confidence (its top probability) matches its accuracy.
struct Calibration {
  double confidence = 0;  // mean top probability
  double log_loss = 0;    // mean -ln p(true label), labels unknown to the model left out
  double ece = 0;         // expected calibration error over 10 equal-width confidence bins
};

// Runs the model over `examples`; fills `eval` (and `calibration` when given) and returns the
// mean microseconds per message.
double EvaluateModel(const classification::model::IntentModel& model,
                     const std::vector<classification::model::Example>& examples,
                     classification::model::Evaluation* eval, Calibration* calibration = nullptr);

// One line: the temperature and the figures of `c`.
std::string FormatCalibration(const Calibration& c, float temperature);

}  // namespace omniroute::model_cli
