#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace omniroute::openapi {

// A JSON value built in code and written out pretty-printed. Objects keep their members in the
// order they were set, so a document reads in the order it was built (a message's properties in
// field order) and the same input always gives the same bytes.
class JsonValue {
 public:
  JsonValue() = default;  // null
  JsonValue(bool b);      // NOLINT(runtime/explicit): values read like JSON literals
  JsonValue(const char* s);
  JsonValue(std::string s);
  static JsonValue Number(int64_t n);
  static JsonValue Object();
  static JsonValue Array();
  // A JSON array of strings.
  static JsonValue Strings(const std::vector<std::string>& items);

  // Object: sets member `key` (replacing its value when it is there already). Returns *this.
  JsonValue& Set(const std::string& key, JsonValue value);
  // Array: appends `value`. Returns *this.
  JsonValue& Push(JsonValue value);
  // Object: the member `key`, nullptr when there is none.
  const JsonValue* Find(const std::string& key) const;
  bool empty() const { return members_.empty() && items_.empty(); }

  // The value as JSON, indented by two spaces, ending in a newline.
  std::string Dump() const;

 private:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  void Write(int indent, std::string* out) const;

  Kind kind_ = Kind::kNull;
  std::string scalar_;  // the number's digits, the string, or "true"/"false"
  std::vector<std::pair<std::string, JsonValue>> members_;
  std::vector<JsonValue> items_;
};

}  // namespace omniroute::openapi
