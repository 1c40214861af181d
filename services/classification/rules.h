#pragma once

#include <map>
#include <string>

#include "omniroute/v1/admin.pb.h"

namespace omniroute::classification {

// What classification looks at (no transport types).
struct ClassifyInput {
  int channel = 0;
  std::string subject;
  std::string body;
  int requested_priority = 0;  // 0 = none
  std::string requested_queue;
};

struct ClassifyResult {
  std::string category = "default";
  int priority = 3;
  std::map<std::string, int> skills;
  std::string queue;
  std::string rule;  // empty when no rule matched
};

// First-match rule evaluation over a validated tenant config (WithDefaults applied): a rule
// matches when its channel list is empty or holds the channel, and its keyword list is empty
// or one keyword occurs as a whole word in subject or body (case-insensitive, ASCII folding).
// The integrator's requested priority and queue override the result.
ClassifyResult Classify(const v1::TenantConfig& config, const ClassifyInput& input);

// True when `word` (lower case) occurs in `text_lower` delimited by non-alphanumerics.
bool ContainsWord(const std::string& text_lower, const std::string& word);

}  // namespace omniroute::classification
