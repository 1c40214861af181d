// Tenant config: the bytes as a TenantConfig on the wire (PutTenantConfig, the copy in Redis)
// and as the text `omniroute-ctl config put` reads (JSON or YAML). Every parsed config goes
// through what the services do with it: ValidateTenantConfig, then WithDefaults, Compile and
// Classify as classification does. A config the validator accepts must stay valid with its
// defaults filled in and must only ever route to the tenant's queues.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "services/classification/rules.h"
#include "services/common/tenant_config.h"
#include "tests/fuzz/fuzz_text.h"

namespace omniroute {
namespace {

// The demo tenant's queues: what the seeds name.
const std::set<std::string>& Queues() {
  static const auto* queues =
      new std::set<std::string>{"voice", "chat", "email", "billing", "selfservice"};
  return *queues;
}

void Check(const v1::TenantConfig& config) {
  if (!ValidateTenantConfig(config, Queues()).ok()) return;
  v1::TenantConfig with_defaults = WithDefaults(config);
  if (!ValidateTenantConfig(with_defaults, Queues()).ok()) std::abort();
  auto compiled = classification::Compile(std::move(with_defaults));
  for (int channel = 0; channel <= 8; ++channel) {
    classification::ClassifyInput input;
    input.channel = channel;
    input.subject = "My card was stolen";
    input.body = "I forgot my passcode and someone used my card without permission";
    input.attributes = {{"tier", "gold"}};
    input.customer = classification::CustomerProfile{"gold", 5000, 0.5, 86400000};
    classification::ModelVerdict verdict{"card_arrival", 0.9};
    auto result = classification::Classify(*compiled, input, channel % 2 ? &verdict : nullptr);
    if (!result.queue.empty() && !Queues().count(result.queue)) std::abort();
    if (result.priority < 1 || result.priority > 4) std::abort();
  }
}

}  // namespace
}  // namespace omniroute

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  omniroute::v1::TenantConfig wire;
  if (wire.ParseFromString(bytes)) omniroute::Check(wire);
  omniroute::v1::TenantConfig text;
  if (omniroute::fuzz::ParseConfigText(bytes, &text)) omniroute::Check(text);
  return 0;
}
