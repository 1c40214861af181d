#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "omniroute/v1/admin.pb.h"
#include "re2/re2.h"

namespace omniroute::classification {

// The customer's stored profile (UpsertCustomer), for rules on customer fields.
struct CustomerProfile {
  std::string tier;
  double annual_value = 0;
  double churn_risk = 0;
  int64_t renewal_ms = 0;  // 0 = unknown
};

// Reads a profile hash (HGETALL of P:custp:<customer>, flat); nullopt when it is empty.
std::optional<CustomerProfile> ProfileFromHash(const std::vector<std::string>& flat);

// What classification looks at (no transport types).
struct ClassifyInput {
  int channel = 0;
  std::string subject;
  std::string body;
  int requested_priority = 0;  // 0 = none
  std::string requested_queue;
  std::map<std::string, std::string> attributes;
  std::string customer_id;
  std::optional<CustomerProfile> customer;  // none: no customer, or no stored profile
  int64_t now_ms = 0;                       // for renewal_within_days
};

// What the intent model said about the input (intent empty: no model).
struct ModelVerdict {
  std::string intent;
  double confidence = 0;
  // How likely the message is none of the model's intents (higher: more likely), and the
  // threshold the model was calibrated with (0: the model has none).
  double out_of_scope_score = 0;
  double model_out_of_scope_threshold = 0;
};

// The out-of-scope threshold that applies: the tenant's out_of_scope_threshold when set (> 0),
// none when it is -1, else the model's calibrated one. 0 = no out-of-scope decision.
double OutOfScopeThreshold(const v1::TenantConfig& config, const ModelVerdict& model);
// Whether the model says the message is none of its intents, at that threshold.
bool IsOutOfScope(const v1::TenantConfig& config, const ModelVerdict& model);

struct ClassifyResult {
  std::string category = "default";
  int priority = 3;
  std::map<std::string, int> skills;
  std::string queue;
  std::string rule;  // empty when no rule matched
  std::string intent;
  double confidence = 0;
  std::string product_area;
  bool self_service = false;
  std::string source = "default";  // rule | model | low_confidence | out_of_scope | default
  // Tier-0 deflection: `queue` is the tenant's self-service queue and this the human queue
  // (with `skills`) the work goes to when escalated. Empty: not deflected.
  std::string escalation_queue;
};

// A tenant config ready to classify with: the validated proto (WithDefaults applied) plus its
// rules' compiled patterns and an index of its intent mappings. Built once per config version.
struct CompiledConfig {
  v1::TenantConfig config;
  std::vector<std::vector<std::unique_ptr<RE2>>> patterns;  // per rule
  std::map<std::string, int> intents;                       // intent -> index in config.intents
  bool uses_customer = false;  // some rule has a customer condition (profiles must be read)
};

// Compiles a config (patterns that do not compile, impossible after validation, never match).
std::unique_ptr<CompiledConfig> Compile(v1::TenantConfig config);

// Classification of one interaction:
//  1. The first rule whose every given condition holds wins (channels; a keyword as a whole
//     word or an RE2 pattern in subject or body, case-insensitive; the model's intent;
//     attribute values; the customer's profile): source "rule". Rules override the model; a rule
//     with intents refines it.
//  2. Else, for a tenant that routes by the model (maps intents or names a triage queue), when
//     the model's out-of-scope score reaches OutOfScopeThreshold: the work goes to
//     low_confidence_queue (source and category "out_of_scope").
//  3. Else, with a model verdict whose intent is mapped: at or above min_confidence the
//     mapping applies (source "model"); below it the work goes to low_confidence_queue
//     (source "low_confidence", category "low_confidence").
//  4. Else the channel's default queue, the tenant's default priority (source "default").
// The integrator's requested priority and queue override the result. Then, when the result is
// self-service eligible and the tenant has a self_service_queue (and no queue was requested),
// the work is deflected: queue becomes the self-service queue and escalation_queue the human
// queue. `model` may be null.
ClassifyResult Classify(const CompiledConfig& config, const ClassifyInput& input,
                        const ModelVerdict* model);

// The same, compiling `config` first (for one-off use: tests, tools).
ClassifyResult Classify(const v1::TenantConfig& config, const ClassifyInput& input,
                        const ModelVerdict* model = nullptr);

// True when `word` (lower case) occurs in `text_lower` delimited by non-alphanumerics.
bool ContainsWord(const std::string& text_lower, const std::string& word);

}  // namespace omniroute::classification
