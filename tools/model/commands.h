#pragma once

#include <string>
#include <vector>

namespace omniroute::model_cli {

// Exit codes: 0 success, 1 the work failed (bad rows in the data, a corrupt model file, a write
// error), 2 usage error (unknown flag, bad value, missing or unreadable file).
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Each takes the arguments after the subcommand name and returns the exit code.
int RunTrain(const std::vector<std::string>& args);
int RunEvaluate(const std::vector<std::string>& args);
int RunPredict(const std::vector<std::string>& args);
int RunCrossValidate(const std::vector<std::string>& args);
int RunInfo(const std::vector<std::string>& args);
int RunPublish(const std::vector<std::string>& args);

std::string Usage();

}  // namespace omniroute::model_cli
