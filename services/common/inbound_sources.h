#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "omniroute/v1/admin.pb.h"
#include "services/common/clock.h"
#include "services/common/redis/redis_client.h"
#include "services/common/redis/scripts.h"

namespace omniroute {

// Sources of provider webhooks (Admin.PutInboundSource; intake's POST /webhooks/...), kept in
// the tenant's hash TenantKeys::InboundSources as wire-format InboundSource with the secret.
inline constexpr int kMaxInboundSources = 100;
inline constexpr int kMaxInboundSourceAttributes = 16;
inline constexpr size_t kMaxTwimlBytes = 4096;

// Checks a source as PutInboundSource receives it; the error names the field ("source.secret:
// ..."). Does not check that its queue exists.
absl::Status ValidateInboundSource(const v1::InboundSource& source);

// The path providers post to for the tenant's source ("/webhooks/acme/sms"; SendGrid's ends
// in "/{secret}").
std::string InboundSourcePath(const std::string& tenant, const v1::InboundSource& source);

// The source as the Admin API shows it: no secret; its fingerprint and path.
v1::InboundSource Redacted(const std::string& tenant, const v1::InboundSource& source);

class InboundSourceStore {
 public:
  InboundSourceStore(redis::Pool* pool, const redis::Scripts* scripts, const Clock* clock)
      : pool_(pool), scripts_(scripts), clock_(clock) {}

  // Creates or replaces a validated source (updated_ms = now); returns it redacted.
  // RESOURCE_EXHAUSTED when the tenant has kMaxInboundSources others already.
  absl::StatusOr<v1::InboundSource> Put(const std::string& tenant, v1::InboundSource source);
  // The source with its secret; nullopt when there is none of that name.
  absl::StatusOr<std::optional<v1::InboundSource>> Get(const std::string& tenant,
                                                       const std::string& name);
  // Every source of the tenant by name, redacted.
  absl::StatusOr<std::vector<v1::InboundSource>> List(const std::string& tenant);
  // NOT_FOUND naming "name" when there is no such source.
  absl::Status Delete(const std::string& tenant, const std::string& name);

 private:
  redis::Pool* pool_;
  const redis::Scripts* scripts_;
  const Clock* clock_;
};

}  // namespace omniroute
