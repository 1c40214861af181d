// Classification rules and their RE2 patterns: a config of fuzzed rules (keywords, patterns,
// channels, intents, attribute and customer conditions) validated as PutTenantConfig does, then
// compiled and run against a fuzzed interaction and customer profile (ProfileFromHash). Checks:
// an accepted pattern compiles, a rule that names a keyword present as a whole word matches,
// and the result only names the tenant's queues.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/classification/rules.h"
#include "services/common/tenant_config.h"

namespace omniroute {
namespace {

const std::set<std::string> kQueues = {"support", "billing", "bot"};

std::string Pick(FuzzedDataProvider& in, const std::vector<std::string>& options) {
  return options[in.ConsumeIntegralInRange<size_t>(0, options.size() - 1)];
}

void FillRule(FuzzedDataProvider& in, int index, v1::ClassificationRule* rule) {
  rule->set_name(absl::StrCat("rule", index));
  rule->set_category(in.ConsumeBool() ? "billing" : "general");
  rule->set_priority(static_cast<v1::Priority>(in.ConsumeIntegralInRange(0, 4)));
  for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i) {
    rule->add_channels(static_cast<v1::Channel>(in.ConsumeIntegralInRange(1, 7)));
  }
  for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
    rule->add_keywords(in.ConsumeRandomLengthString(40));
  }
  for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i) {
    rule->add_patterns(in.ConsumeRandomLengthString(80));
  }
  if (in.ConsumeBool()) rule->add_intents(Pick(in, {"card_arrival", "lost_or_stolen_card"}));
  if (in.ConsumeBool()) (*rule->mutable_attributes())["tier"] = in.ConsumeRandomLengthString(16);
  if (in.ConsumeBool()) {
    auto* c = rule->mutable_customer();
    if (in.ConsumeBool()) c->add_tiers(Pick(in, {"gold", "silver"}));
    c->set_min_annual_value(in.ConsumeFloatingPoint<double>());
    c->set_min_churn_risk(in.ConsumeProbability<double>());
    c->set_renewal_within_days(in.ConsumeIntegralInRange(0, 3650));
  }
  if (in.ConsumeBool()) rule->set_queue(Pick(in, {"support", "billing"}));
  rule->set_self_service(in.ConsumeBool());
  if (in.ConsumeBool()) {
    auto* s = rule->add_required_skills();
    s->set_name("billing");
    s->set_proficiency(in.ConsumeIntegralInRange(1, 5));
  }
}

}  // namespace
}  // namespace omniroute

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace omniroute;
  FuzzedDataProvider in(data, size);
  v1::TenantConfig config;
  const int rules = in.ConsumeIntegralInRange(0, 4);
  for (int r = 0; r < rules; ++r) FillRule(in, r, config.add_rules());
  config.set_default_queue("support");
  if (in.ConsumeBool()) config.set_self_service_queue("bot");
  for (const auto& rule : config.rules()) {
    for (const auto& p : rule.patterns()) (void)CompileRulePattern(p)->ok();
  }
  if (!ValidateTenantConfig(config, kQueues).ok()) return 0;
  for (const auto& rule : config.rules()) {
    for (const auto& p : rule.patterns()) {
      if (!CompileRulePattern(p)->ok()) std::abort();
    }
  }
  auto compiled = classification::Compile(WithDefaults(config));

  classification::ClassifyInput input;
  input.channel = in.ConsumeIntegralInRange(0, 8);
  input.subject = in.ConsumeRandomLengthString(200);
  input.body = in.ConsumeRandomLengthString(2000);
  input.attributes["tier"] = in.ConsumeRandomLengthString(16);
  std::vector<std::string> profile;
  for (int i = in.ConsumeIntegralInRange(0, 8); i > 0; --i) {
    profile.push_back(Pick(in, {"tier", "value", "risk", "renewal_ms", "other"}));
    profile.push_back(in.ConsumeRandomLengthString(24));
  }
  input.customer = classification::ProfileFromHash(profile);
  // The service's clock: from the epoch to 2100 (renewal dates are checked against it).
  input.now_ms = in.ConsumeIntegralInRange<int64_t>(0, 4102444800000);
  classification::ModelVerdict verdict{"card_arrival", in.ConsumeProbability<double>()};
  const bool with_model = in.ConsumeBool();

  auto result = classification::Classify(*compiled, input, with_model ? &verdict : nullptr);
  if (!kQueues.count(result.queue)) std::abort();
  if (!result.escalation_queue.empty() && !kQueues.count(result.escalation_queue)) std::abort();
  // A keyword present as a whole word in the text makes its rule (or an earlier one) match,
  // unless another condition of the rule fails: checked on rules that have no other condition.
  const std::string text = absl::AsciiStrToLower(input.subject + "\n" + input.body);
  for (int r = 0; r < config.rules_size(); ++r) {
    const auto& rule = config.rules(r);
    if (rule.channels_size() || rule.intents_size() || rule.attributes_size() ||
        rule.has_customer()) {
      continue;
    }
    for (const auto& k : rule.keywords()) {
      if (classification::ContainsWord(text, absl::AsciiStrToLower(k)) && result.rule.empty()) {
        std::abort();
      }
    }
  }
  return 0;
}
