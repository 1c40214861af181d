#pragma once

// What omniroute-decision-bench prints: each scenario's set-up and memory, and the table of
// medians over rounds.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "load-tests/decision_paths.h"
#include "load-tests/decision_stats.h"
#include "load-tests/decision_world.h"

namespace omniroute::bench::decision {

// results[path][scenario] = one Stats per round.
using Results = std::map<Path, std::vector<std::vector<Stats>>>;

// The commands one decision runs inside Redis, most time first: "zadd 4x 6.1".
std::string CostLine(const CommandCost& c, int top);

// 1234567 -> "1,234,567".
std::string Thousands(int64_t v);

void PrintSetup(const World& w);

// used_memory per queued interaction; with `with_stream`, the classified stream's size too.
void PrintMemory(World& w, bool with_stream);

// The medians over `rounds` rounds per path and scenario, the B/A ratios and what Redis ran per
// decision in the last round.
void PrintResults(int rounds, int decisions, const std::vector<Path>& paths,
                  const std::vector<std::unique_ptr<World>>& worlds, const Results& results);

}  // namespace omniroute::bench::decision
