// The interaction hash codec: DecodeSkills on the whole input (the skills JSON the Lua scripts
// store), then the input split into an HGETALL reply (field, value, ...) for InteractionFromHash.
// Checks: what DecodeSkills accepts survives an EncodeSkills round trip when its names are
// valid skill names, and every decoded skill shows up in the interaction built from the hash.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "services/common/interaction_codec.h"
#include "services/common/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace omniroute;
  const std::string whole(reinterpret_cast<const char*>(data), size);
  if (auto skills = DecodeSkills(whole); skills.ok()) {
    bool names_ok = true;
    for (const auto& [name, level] : *skills) names_ok = names_ok && ValidateName("n", name).ok();
    if (names_ok) {
      auto again = DecodeSkills(EncodeSkills(*skills));
      if (!again.ok() || *again != *skills) std::abort();
    }
  }

  FuzzedDataProvider in(data, size);
  std::vector<std::string> kv;
  while (in.remaining_bytes() > 0 && kv.size() < 200) {
    kv.push_back(in.ConsumeRandomLengthString(64));
  }
  v1::Interaction ix = InteractionFromHash("acme", kv);
  if (ix.tenant_id() != "acme") std::abort();
  // The skills reported are those of the last "esc_skills" field, else of the last "skills".
  const std::string* skills_field = nullptr;
  for (const char* name : {"skills", "esc_skills"}) {
    for (size_t i = 0; i + 1 < kv.size(); i += 2) {
      if (kv[i] == name) skills_field = &kv[i + 1];
    }
  }
  size_t expected = 0;
  if (skills_field != nullptr) {
    if (auto decoded = DecodeSkills(*skills_field); decoded.ok()) expected = decoded->size();
  }
  if (static_cast<size_t>(ix.classification().required_skills_size()) != expected) std::abort();
  return 0;
}
