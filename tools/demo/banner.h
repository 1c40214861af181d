#pragma once

// The demo's start-up banner: endpoints, API keys, queues and commands to try.

#include <vector>

#include "tools/demo/demo_agents.h"
#include "tools/demo/demo_options.h"
#include "tools/demo/staffing.h"

namespace omniroute::demo {

// Prints the banner to stdout (and flushes): endpoints, keys, queues, the staffing arithmetic
// behind `loads` and who of `staff` logged in.
void PrintBanner(const Options& o, double rate, const std::vector<QueueLoad>& loads,
                 const Staff& staff);

}  // namespace omniroute::demo
