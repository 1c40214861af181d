#pragma once

// The demo's start-up banner: endpoints, API keys, queues and commands to try.

#include <memory>
#include <vector>

#include "tools/demo/demo_options.h"
#include "tools/demo/staffing.h"
#include "tools/demo/tenant_run.h"

namespace omniroute::demo {

// Prints the banner to stdout (and flushes): endpoints, each tenant's keys, queues, the
// staffing arithmetic behind `loads` (the same for every tenant) and who logged in for each.
void PrintBanner(const Options& o, double rate, const std::vector<QueueLoad>& loads,
                 const std::vector<std::unique_ptr<TenantRun>>& runs);

}  // namespace omniroute::demo
