#include "services/common/openapi/json_value.h"

#include "services/common/log/log.h"

namespace omniroute::openapi {

JsonValue::JsonValue(bool b) : kind_(Kind::kBool), scalar_(b ? "true" : "false") {}
JsonValue::JsonValue(const char* s) : kind_(Kind::kString), scalar_(s) {}
JsonValue::JsonValue(std::string s) : kind_(Kind::kString), scalar_(std::move(s)) {}

JsonValue JsonValue::Number(int64_t n) {
  JsonValue v;
  v.kind_ = Kind::kNumber;
  v.scalar_ = std::to_string(n);
  return v;
}

JsonValue JsonValue::Object() {
  JsonValue v;
  v.kind_ = Kind::kObject;
  return v;
}

JsonValue JsonValue::Array() {
  JsonValue v;
  v.kind_ = Kind::kArray;
  return v;
}

JsonValue JsonValue::Strings(const std::vector<std::string>& items) {
  JsonValue v = Array();
  for (const std::string& s : items) v.Push(s);
  return v;
}

JsonValue& JsonValue::Set(const std::string& key, JsonValue value) {
  kind_ = Kind::kObject;
  for (auto& [k, v] : members_) {
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  }
  members_.emplace_back(key, std::move(value));
  return *this;
}

JsonValue& JsonValue::Push(JsonValue value) {
  kind_ = Kind::kArray;
  items_.push_back(std::move(value));
  return *this;
}

const JsonValue* JsonValue::Find(const std::string& key) const {
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string JsonValue::Dump() const {
  std::string out;
  Write(0, &out);
  out += '\n';
  return out;
}

void JsonValue::Write(int indent, std::string* out) const {
  const std::string pad(indent + 2, ' ');
  switch (kind_) {
    case Kind::kNull:
      *out += "null";
      return;
    case Kind::kBool:
    case Kind::kNumber:
      *out += scalar_;
      return;
    case Kind::kString:
      *out += '"' + log::JsonEscape(scalar_) + '"';
      return;
    case Kind::kArray:
      if (items_.empty()) {
        *out += "[]";
        return;
      }
      *out += "[";
      for (size_t i = 0; i < items_.size(); ++i) {
        *out += (i == 0 ? "\n" : ",\n") + pad;
        items_[i].Write(indent + 2, out);
      }
      *out += '\n' + std::string(indent, ' ') + ']';
      return;
    case Kind::kObject:
      if (members_.empty()) {
        *out += "{}";
        return;
      }
      *out += "{";
      for (size_t i = 0; i < members_.size(); ++i) {
        *out += (i == 0 ? "\n" : ",\n") + pad + '"' + log::JsonEscape(members_[i].first) + "\": ";
        members_[i].second.Write(indent + 2, out);
      }
      *out += '\n' + std::string(indent, ' ') + '}';
      return;
  }
}

}  // namespace omniroute::openapi
