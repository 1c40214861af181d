#include "tools/ctl/yaml_proto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace omniroute::ctl {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Value;

absl::Status Error(const YAML::Node& at, const std::string& path, const std::string& what) {
  std::string line = at.Mark().is_null() ? "" : absl::StrCat("line ", at.Mark().line + 1, ": ");
  return absl::InvalidArgumentError(absl::StrCat(line, path.empty() ? "" : path + ": ", what));
}

const FieldDescriptor* FindField(const Descriptor* type, const std::string& name) {
  if (const auto* f = type->FindFieldByName(name)) return f;
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == name) return type->field(i);
  }
  return nullptr;
}

class FromYaml {
 public:
  explicit FromYaml(bool bytes_as_text) : bytes_as_text_(bytes_as_text) {}

  absl::Status Message(const YAML::Node& n, const Descriptor* type, const std::string& path,
                       Value* out) {
    if (!n.IsMap()) return Error(n, path, absl::StrCat("must be a mapping (a ", type->name(), ")"));
    auto* fields = out->mutable_struct_value()->mutable_fields();
    std::set<int> seen;
    for (const auto& entry : n) {
      const YAML::Node& key = entry.first;
      std::string name = key.IsScalar() ? key.Scalar() : "?";
      std::string sub = path.empty() ? name : absl::StrCat(path, ".", name);
      const FieldDescriptor* f = key.IsScalar() ? FindField(type, name) : nullptr;
      if (f == nullptr) {
        std::string names;
        for (int i = 0; i < type->field_count(); ++i) {
          absl::StrAppend(&names, i ? ", " : "", type->field(i)->name());
        }
        return Error(key, sub, absl::StrCat("unknown field (", type->name(), " has ", names, ")"));
      }
      if (!seen.insert(f->number()).second) return Error(key, sub, "given twice");
      if (entry.second.IsNull()) continue;  // as JSON null: the default
      Value v;
      if (auto s = Field(entry.second, f, sub, &v); !s.ok()) return s;
      (*fields)[f->name()] = std::move(v);
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Field(const YAML::Node& n, const FieldDescriptor* f, const std::string& path,
                     Value* out) {
    if (f->is_map()) {
      if (!n.IsMap()) return Error(n, path, "must be a mapping");
      const FieldDescriptor* key_field = f->message_type()->map_key();
      const FieldDescriptor* value_field = f->message_type()->map_value();
      auto* entries = out->mutable_struct_value()->mutable_fields();
      for (const auto& entry : n) {
        std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
        std::string sub = absl::StrCat(path, "[", key, "]");
        int64_t unused;
        if (!entry.first.IsScalar() || (key_field->cpp_type() != FieldDescriptor::CPPTYPE_STRING &&
                                        !absl::SimpleAtoi(key, &unused))) {
          return Error(entry.first, sub, "map key must be a single value of the key type");
        }
        if (auto s = Single(entry.second, value_field, sub, &(*entries)[key]); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    if (f->is_repeated()) {
      if (!n.IsSequence()) return Error(n, path, "must be a list");
      auto* list = out->mutable_list_value();
      for (size_t i = 0; i < n.size(); ++i) {
        if (auto s = Single(n[i], f, absl::StrCat(path, "[", i, "]"), list->add_values());
            !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    }
    return Single(n, f, path, out);
  }

  absl::Status Single(const YAML::Node& n, const FieldDescriptor* f, const std::string& path,
                      Value* out) {
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return Message(n, f->message_type(), path, out);
    }
    if (!n.IsScalar()) return Error(n, path, "must be a single value, not a list or mapping");
    const std::string& text = n.Scalar();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        out->set_string_value(f->type() == FieldDescriptor::TYPE_BYTES && bytes_as_text_
                                  ? absl::Base64Escape(text)
                                  : text);
        return absl::OkStatus();
      case FieldDescriptor::CPPTYPE_BOOL: {
        std::string lower = absl::AsciiStrToLower(text);
        if (lower != "true" && lower != "false") return Error(n, path, "must be true or false");
        out->set_bool_value(lower == "true");
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        int32_t number;
        if (absl::SimpleAtoi(text, &number)) {
          out->set_number_value(number);
        } else if (f->enum_type()->FindValueByName(text) != nullptr) {
          out->set_string_value(text);
        } else {
          std::string names;
          for (int i = 0; i < f->enum_type()->value_count(); ++i) {
            absl::StrAppend(&names, i ? ", " : "", f->enum_type()->value(i)->name());
          }
          return Error(n, path,
                       absl::StrCat("'", text, "' is not a ", f->enum_type()->name(), " (one of ",
                                    names, ")"));
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double d;
        if (!absl::SimpleAtod(text, &d) || !std::isfinite(d)) {
          return Error(n, path, absl::StrCat("'", text, "' is not a number"));
        }
        out->set_number_value(d);
        return absl::OkStatus();
      }
      default:
        return Integer(n, f, path, out);
    }
  }

  absl::Status Integer(const YAML::Node& n, const FieldDescriptor* f, const std::string& path,
                       Value* out) {
    const std::string& text = n.Scalar();
    bool ok = false;
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v;
        ok = absl::SimpleAtoi(text, &v);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v;
        ok = absl::SimpleAtoi(text, &v);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v;
        ok = absl::SimpleAtoi(text, &v);
        break;
      }
      default: {
        uint64_t v;
        ok = absl::SimpleAtoi(text, &v);
      }
    }
    if (!ok) {
      return Error(n, path, absl::StrCat("'", text, "' is not an integer (", f->type_name(), ")"));
    }
    out->set_string_value(text);  // the JSON mapping takes integers as strings too
    return absl::OkStatus();
  }

  bool bytes_as_text_;
};

// ---- YAML out ------------------------------------------------------------------------------

// A string a YAML reader would take for something else (a number, a boolean, null) is quoted.
bool LooksTyped(const std::string& s) {
  static const std::set<std::string> kWords = {"true", "false", "yes", "no",   "on",
                                               "off",  "y",     "n",   "null", "~"};
  double unused;
  return s.empty() || absl::SimpleAtod(s, &unused) || kWords.count(absl::AsciiStrToLower(s));
}

void EmitMessage(YAML::Emitter& e, const Value& v, const Descriptor* type);

void EmitSingle(YAML::Emitter& e, const Value& v, const FieldDescriptor* f) {
  switch (v.kind_case()) {
    case Value::kStructValue:
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        EmitMessage(e, v, f->message_type());
        return;
      }
      break;
    case Value::kBoolValue:
      e << (v.bool_value() ? "true" : "false");
      return;
    case Value::kNumberValue:
      e << absl::StrCat(v.number_value());
      return;
    case Value::kStringValue: {
      std::string s = v.string_value(), text;
      if (f->type() == FieldDescriptor::TYPE_BYTES && absl::Base64Unescape(s, &text)) s = text;
      bool quote = (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) && LooksTyped(s);
      if (quote) e << YAML::DoubleQuoted;
      e << s;
      return;
    }
    default:
      break;
  }
  e << YAML::Null;
}

void EmitMessage(YAML::Emitter& e, const Value& v, const Descriptor* type) {
  const auto& fields = v.struct_value().fields();
  e << YAML::BeginMap;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    auto it = fields.find(f->name());
    if (it == fields.end()) continue;
    e << YAML::Key << f->name() << YAML::Value;
    if (f->is_map()) {
      std::vector<std::string> keys;
      for (const auto& [k, unused] : it->second.struct_value().fields()) keys.push_back(k);
      // Integer keys in numeric order.
      std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
      });
      e << YAML::BeginMap;
      for (const auto& k : keys) {
        e << YAML::Key << k << YAML::Value;
        EmitSingle(e, it->second.struct_value().fields().at(k), f->message_type()->map_value());
      }
      e << YAML::EndMap;
    } else if (f->is_repeated()) {
      e << YAML::BeginSeq;
      for (const auto& item : it->second.list_value().values()) EmitSingle(e, item, f);
      e << YAML::EndSeq;
    } else {
      EmitSingle(e, it->second, f);
    }
  }
  e << YAML::EndMap;
}

}  // namespace

absl::Status YamlToValue(const YAML::Node& node, const Descriptor* type, bool bytes_as_text,
                         Value* out) {
  if (!node.IsDefined() || node.IsNull()) {
    return absl::InvalidArgumentError(absl::StrCat("is empty (expected a ", type->name(), ")"));
  }
  return FromYaml(bytes_as_text).Message(node, type, "", out);
}

std::string ValueToYaml(const Value& value, const Descriptor* type) {
  YAML::Emitter e;
  EmitMessage(e, value, type);
  return std::string(e.c_str()) + "\n";
}

}  // namespace omniroute::ctl
