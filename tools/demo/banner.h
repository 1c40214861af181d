#pragma once

// The demo's start-up banner: endpoints, API keys, queues and commands to try.

#include "tools/demo/demo_options.h"

namespace omniroute::demo {

// Prints the banner to stdout (and flushes); `agents` is how many logged in.
void PrintBanner(const Options& o, double rate, int agents);

}  // namespace omniroute::demo
