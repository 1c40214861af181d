// omniroute-model: trains, evaluates and runs the intent model (see tools/model/README.md).
//   omniroute-model train --data FILE.csv --model OUT [--holdout 0.2] [--seed N] [...]
//   omniroute-model evaluate --data FILE.csv --model MODEL
//   omniroute-model predict --model MODEL < texts
//   omniroute-model cv --data FILE.csv [--folds 5] [grid flags]
//   omniroute-model info --model MODEL
//   omniroute-model publish --model MODEL [--tenant T] [REDIS]; models / unpublish --tenant T
//   omniroute-model retrain --tenant T --data FILE.csv [REDIS] [train flags]
//   omniroute-model oos-eval --data FILE.csv [--holdout-intents 0.25] [--seed N] [...]
//   omniroute-model corrections --tenant T --out FILE.csv [--label intent|category] [...]
#include <cstdio>
#include <string>
#include <vector>

#include "services/common/build_info.h"
#include "tools/model/commands.h"

int main(int argc, char** argv) {
  using namespace omniroute::model_cli;
  if (argc < 2) {
    std::fputs(Usage().c_str(), stderr);
    return kExitUsage;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "train") return RunTrain(args);
  if (command == "evaluate") return RunEvaluate(args);
  if (command == "predict") return RunPredict(args);
  if (command == "cv") return RunCrossValidate(args);
  if (command == "info") return RunInfo(args);
  if (command == "publish") return RunPublish(args);
  if (command == "corrections") return RunCorrections(args);
  if (command == "models") return RunModels(args, false);
  if (command == "unpublish") return RunModels(args, true);
  if (command == "retrain") return RunRetrain(args);
  if (command == "oos-eval") return RunOosEval(args);
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(Usage().c_str(), stdout);
    return 0;
  }
  if (command == "--version") {
    std::printf("%s\n", omniroute::VersionLine("omniroute-model").c_str());
    return 0;
  }
  std::fprintf(stderr, "omniroute-model: unknown command '%s'\n\n%s", command.c_str(),
               Usage().c_str());
  return kExitUsage;
}
