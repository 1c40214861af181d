#include "services/classification/rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "services/common/tenant_config.h"

namespace omniroute::classification {
namespace {

bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); }

bool CustomerOk(const v1::CustomerCondition& c, const ClassifyInput& input) {
  if (!input.customer.has_value()) return false;
  const CustomerProfile& p = *input.customer;
  if (c.tiers_size() > 0 &&
      std::find(c.tiers().begin(), c.tiers().end(), p.tier) == c.tiers().end()) {
    return false;
  }
  if (p.annual_value < c.min_annual_value()) return false;
  if (p.churn_risk < c.min_churn_risk()) return false;
  if (c.renewal_within_days() > 0) {
    const int64_t window_ms = int64_t{c.renewal_within_days()} * 86400 * 1000;
    if (p.renewal_ms <= 0 || p.renewal_ms - input.now_ms > window_ms) return false;
  }
  return true;
}

}  // namespace

std::optional<CustomerProfile> ProfileFromHash(const std::vector<std::string>& flat) {
  if (flat.empty()) return std::nullopt;
  CustomerProfile p;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) {
    const std::string& k = flat[i];
    const std::string& v = flat[i + 1];
    if (k == "tier") {
      p.tier = v;
    } else if (k == "value") {
      (void)absl::SimpleAtod(v, &p.annual_value);
    } else if (k == "risk") {
      (void)absl::SimpleAtod(v, &p.churn_risk);
    } else if (k == "renewal_ms") {
      (void)absl::SimpleAtoi(v, &p.renewal_ms);
    }
  }
  return p;
}

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

std::unique_ptr<CompiledConfig> Compile(v1::TenantConfig config) {
  auto c = std::make_unique<CompiledConfig>();
  c->config = std::move(config);
  for (const auto& rule : c->config.rules()) {
    auto& compiled = c->patterns.emplace_back();
    for (const auto& p : rule.patterns()) compiled.push_back(CompileRulePattern(p));
    c->uses_customer = c->uses_customer || rule.has_customer();
  }
  for (int i = 0; i < c->config.intents_size(); ++i) c->intents[c->config.intents(i).intent()] = i;
  return c;
}

double OutOfScopeThreshold(const v1::TenantConfig& config, const ModelVerdict& model) {
  if (config.out_of_scope_threshold() == -1) return 0;
  if (config.out_of_scope_threshold() > 0) return config.out_of_scope_threshold();
  return model.model_out_of_scope_threshold;
}

bool IsOutOfScope(const v1::TenantConfig& config, const ModelVerdict& model) {
  const double threshold = OutOfScopeThreshold(config, model);
  return threshold > 0 && model.out_of_scope_score >= threshold;
}

ClassifyResult Classify(const CompiledConfig& compiled, const ClassifyInput& input,
                        const ModelVerdict* model) {
  const v1::TenantConfig& config = compiled.config;
  ClassifyResult result;
  result.priority = config.default_priority() > 0 ? config.default_priority() : 3;
  if (model != nullptr && !model->intent.empty()) {
    result.intent = model->intent;
    result.confidence = model->confidence;
  }
  const std::string raw = input.subject + "\n" + input.body;
  const std::string text = absl::AsciiStrToLower(raw);
  bool matched = false;
  for (int r = 0; r < config.rules_size() && !matched; ++r) {
    const auto& rule = config.rules(r);
    bool channel_ok = rule.channels().empty();
    for (int c : rule.channels()) channel_ok = channel_ok || c == input.channel;
    if (!channel_ok) continue;
    bool words_ok = rule.keywords().empty() && rule.patterns().empty();
    for (const auto& k : rule.keywords()) {
      if (words_ok) break;
      words_ok = ContainsWord(text, absl::AsciiStrToLower(k));
    }
    for (const auto& re : compiled.patterns[r]) {
      if (words_ok) break;
      words_ok = re->ok() && RE2::PartialMatch(raw, *re);
    }
    if (!words_ok) continue;
    bool intent_ok = rule.intents().empty();
    for (const auto& i : rule.intents()) intent_ok = intent_ok || i == result.intent;
    if (!intent_ok) continue;
    bool attributes_ok = true;
    for (const auto& [key, value] : rule.attributes()) {
      auto it = input.attributes.find(key);
      attributes_ok = attributes_ok && it != input.attributes.end() && it->second == value;
    }
    if (!attributes_ok) continue;
    if (rule.has_customer() && !CustomerOk(rule.customer(), input)) continue;
    matched = true;
    result.source = "rule";
    result.rule = rule.name();
    result.category = rule.category();
    if (rule.priority() > 0) result.priority = rule.priority();
    for (const auto& s : rule.required_skills()) result.skills[s.name()] = s.proficiency();
    result.queue = rule.queue();
    result.self_service = rule.self_service();
  }
  // Below the threshold a guess goes to triage whether or not its intent is mapped, for a
  // tenant that routes by the model (maps intents or names a triage queue).
  auto mapping = compiled.intents.find(result.intent);
  bool routes_by_model = config.intents_size() > 0 || !config.low_confidence_queue().empty();
  if (!matched && !result.intent.empty() && routes_by_model && model != nullptr &&
      IsOutOfScope(config, *model)) {
    result.source = "out_of_scope";
    result.category = "out_of_scope";
    result.queue = config.low_confidence_queue();
  } else if (!matched && !result.intent.empty() && routes_by_model &&
             (mapping != compiled.intents.end() || result.confidence < config.min_confidence())) {
    if (result.confidence >= config.min_confidence()) {
      const auto& m = config.intents(mapping->second);
      result.source = "model";
      result.category = m.category().empty() ? m.intent() : m.category();
      result.product_area = m.product_area();
      result.self_service = m.self_service();
      if (m.priority() > 0) result.priority = m.priority();
      for (const auto& s : m.required_skills()) result.skills[s.name()] = s.proficiency();
      result.queue = m.queue();
    } else {
      result.source = "low_confidence";
      result.category = "low_confidence";
      result.queue = config.low_confidence_queue();
    }
  }
  if (result.queue.empty()) {
    result.queue = DefaultQueueFor(config, input.channel);
  }
  if (input.requested_priority > 0) result.priority = input.requested_priority;
  if (!input.requested_queue.empty()) result.queue = input.requested_queue;
  if (result.self_service && !config.self_service_queue().empty() &&
      input.requested_queue.empty() && result.queue != config.self_service_queue()) {
    result.escalation_queue = result.queue;
    result.queue = config.self_service_queue();
  }
  return result;
}

ClassifyResult Classify(const v1::TenantConfig& config, const ClassifyInput& input,
                        const ModelVerdict* model) {
  return Classify(*Compile(config), input, model);
}

}  // namespace omniroute::classification
