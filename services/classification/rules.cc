#include "services/classification/rules.h"

#include "absl/strings/ascii.h"

namespace omniroute::classification {
namespace {

bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

}  // namespace

bool ContainsWord(const std::string& text_lower, const std::string& word) {
  if (word.empty()) return false;
  size_t pos = 0;
  while ((pos = text_lower.find(word, pos)) != std::string::npos) {
    bool start_ok = pos == 0 || !IsWordChar(text_lower[pos - 1]) || !IsWordChar(word.front());
    size_t end = pos + word.size();
    bool end_ok =
        end == text_lower.size() || !IsWordChar(text_lower[end]) || !IsWordChar(word.back());
    if (start_ok && end_ok) return true;
    ++pos;
  }
  return false;
}

ClassifyResult Classify(const v1::TenantConfig& config, const ClassifyInput& input) {
  ClassifyResult result;
  result.priority = config.default_priority() > 0 ? config.default_priority() : 3;
  std::string text = absl::AsciiStrToLower(input.subject + "\n" + input.body);
  for (const auto& rule : config.rules()) {
    bool channel_ok = rule.channels().empty();
    for (int c : rule.channels()) channel_ok = channel_ok || c == input.channel;
    if (!channel_ok) continue;
    bool words_ok = rule.keywords().empty();
    for (const auto& k : rule.keywords()) {
      if (words_ok) break;
      words_ok = ContainsWord(text, absl::AsciiStrToLower(k));
    }
    if (!words_ok) continue;
    result.rule = rule.name();
    result.category = rule.category();
    if (rule.priority() > 0) result.priority = rule.priority();
    for (const auto& s : rule.required_skills()) result.skills[s.name()] = s.proficiency();
    result.queue = rule.queue();
    break;
  }
  if (result.queue.empty()) {
    auto it = config.default_queue_by_channel().find(input.channel);
    result.queue =
        it != config.default_queue_by_channel().end() ? it->second : config.default_queue();
  }
  if (input.requested_priority > 0) result.priority = input.requested_priority;
  if (!input.requested_queue.empty()) result.queue = input.requested_queue;
  return result;
}

}  // namespace omniroute::classification
