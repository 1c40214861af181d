#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace omniroute::log {

using Fields = std::initializer_list<std::pair<absl::string_view, absl::string_view>>;

// Structured logs: one JSON object per line on stderr, e.g.
// {"ts":"2026-11-23T13:00:00.123Z","level":"info","service":"intake","msg":"...","interaction_id":"..."}
void Init(absl::string_view service);
void Info(absl::string_view msg, Fields fields = {});
void Warn(absl::string_view msg, Fields fields = {});
void Error(absl::string_view msg, Fields fields = {});
// Logs at most once per `seconds` for the same key (for repeating dependency failures).
void WarnEvery(absl::string_view key, int seconds, absl::string_view msg, Fields fields = {});

// JSON string escaping, exposed for tests.
std::string JsonEscape(absl::string_view s);

}  // namespace omniroute::log
