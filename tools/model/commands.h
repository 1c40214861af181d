#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/classification/model/csv.h"
#include "services/classification/model/intent_model.h"
#include "services/common/redis/redis_client.h"

namespace omniroute::model_cli {

// Exit codes: 0 success, 1 the work failed (bad rows in the data, a corrupt model file, a write
// error), 2 usage error (unknown flag, bad value, missing or unreadable file).
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Each takes the arguments after the subcommand name and returns the exit code.
int RunTrain(const std::vector<std::string>& args);  // train_command.cc
int RunEvaluate(const std::vector<std::string>& args);
int RunPredict(const std::vector<std::string>& args);
int RunCrossValidate(const std::vector<std::string>& args);  // cv_command.cc
int RunInfo(const std::vector<std::string>& args);
int RunPublish(const std::vector<std::string>& args);  // publish_command.cc
// models (unpublish false) or unpublish (true).
int RunModels(const std::vector<std::string>& args, bool unpublish);  // publish_command.cc
int RunRetrain(const std::vector<std::string>& args);                 // retrain_command.cc
int RunCorrections(const std::vector<std::string>& args);             // corrections.cc
int RunOosEval(const std::vector<std::string>& args);                 // oos_command.cc

// Usage texts of the subcommands that have a file of their own (evaluate, predict and info are
// in commands.cc).
extern const char kTrainUsage[];        // train_command.cc
extern const char kCvUsage[];           // cv_command.cc
extern const char kPublishUsage[];      // publish_command.cc
extern const char kCorrectionsUsage[];  // corrections.cc
extern const char kRetrainUsage[];      // retrain_command.cc

// Publishes validated model bytes: the global model (tenant empty) or the tenant's own, keeping
// its last `keep` versions. Returns the version (publish_command.cc).
absl::StatusOr<std::string> PublishModelBytes(redis::Connection& conn, const std::string& tenant,
                                              const std::string& bytes, int keep);
extern const char kOosEvalUsage[];  // oos_command.cc

std::string Usage();

// The model's out-of-scope threshold and detector in one line (info, train).
std::string OutOfScopeDescription(const classification::model::IntentModel& model);
// How many of the in-scope `held` messages the model's threshold rejects, and the accuracy
// counting them as wrong (train's held-out report).
std::string HeldOutOutOfScope(const classification::model::IntentModel& model,
                              const std::vector<classification::model::Example>& held);

// Prints "omniroute-model COMMAND: message" and the usage; returns kExitUsage.
int UsageError(const char* command, const absl::Status& status, const char* usage);
// Prints the error; missing or unreadable files are usage errors, bad content a failure.
int FileError(const char* command, const absl::Status& status);
// Quotes a CSV field when it needs it (RFC 4180).
std::string CsvField(const std::string& s);

}  // namespace omniroute::model_cli
