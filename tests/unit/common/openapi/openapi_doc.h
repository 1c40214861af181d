#pragma once

// Reading a generated OpenAPI document in tests: parsed into google.protobuf.Value (plain JSON,
// no API message involved), members looked up by path, $refs resolved as JSON pointers.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace omniroute::openapi::testing {

namespace pb = google::protobuf;

inline pb::Value ParseDocument(const std::string& json) {
  pb::Value doc;
  auto st = pb::util::JsonStringToMessage(json, &doc);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return doc;
}

// The member at `path` under `v` (object keys), nullptr when any step is missing.
inline const pb::Value* At(const pb::Value& v, std::initializer_list<std::string> path) {
  const pb::Value* cur = &v;
  for (const std::string& key : path) {
    if (!cur->has_struct_value()) return nullptr;
    auto it = cur->struct_value().fields().find(key);
    if (it == cur->struct_value().fields().end()) return nullptr;
    cur = &it->second;
  }
  return cur;
}

inline std::string Str(const pb::Value* v) {
  return v == nullptr ? "<missing>" : v->string_value();
}

// The target of a local $ref ("#/components/schemas/x"), nullptr when it points nowhere.
inline const pb::Value* Resolve(const pb::Value& doc, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  const pb::Value* cur = &doc;
  for (absl::string_view step : absl::StrSplit(ref.substr(2), '/')) {
    std::string key = absl::StrReplaceAll(step, {{"~1", "/"}, {"~0", "~"}});
    cur = At(*cur, {key});
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

// The $ref of a schema, directly or as its only allOf member (how a field with a comment refers
// to a message or enum); "" when it has none.
inline std::string RefOf(const pb::Value& schema) {
  if (const pb::Value* ref = At(schema, {"$ref"})) return ref->string_value();
  const pb::Value* all = At(schema, {"allOf"});
  if (all != nullptr && all->list_value().values_size() == 1) {
    return RefOf(all->list_value().values(0));
  }
  return "";
}

}  // namespace omniroute::openapi::testing
