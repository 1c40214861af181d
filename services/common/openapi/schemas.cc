#include "services/common/openapi/schemas.h"

#include <google/protobuf/descriptor.pb.h>

#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace omniroute::openapi {
namespace {

namespace pb = google::protobuf;

JsonValue Typed(const char* type, const char* format = nullptr) {
  JsonValue s = JsonValue::Object().Set("type", type);
  if (format != nullptr) s.Set("format", format);
  return s;
}

bool IsWrapper(const pb::Descriptor* m) {
  return m->file()->name() == "google/protobuf/wrappers.proto" && m->field_count() == 1;
}

// The JSON forms protobuf's JSON printer gives the well-known types other than the wrappers.
std::optional<JsonValue> WellKnown(const pb::Descriptor* m) {
  const std::string& name = m->full_name();
  if (name == "google.protobuf.Timestamp") {
    return Typed("string", "date-time")
        .Set("description", "RFC 3339 time in UTC, e.g. \"2024-05-01T12:00:00Z\".");
  }
  if (name == "google.protobuf.Duration") {
    return Typed("string").Set(
        "description",
        "Seconds with up to 9 fractional digits and an \"s\" suffix, e.g. \"1.5s\".");
  }
  if (name == "google.protobuf.FieldMask") {
    return Typed("string").Set("description", "Comma-separated lowerCamelCase field paths.");
  }
  if (name == "google.protobuf.Struct") {
    return Typed("object").Set("additionalProperties", true).Set("description", "Any JSON object.");
  }
  if (name == "google.protobuf.ListValue") {
    return Typed("array").Set("items", JsonValue::Object()).Set("description", "Any JSON array.");
  }
  if (name == "google.protobuf.Value") {
    return JsonValue::Object().Set("nullable", true).Set("description", "Any JSON value.");
  }
  if (name == "google.protobuf.Empty") {
    return Typed("object").Set("description", "An empty JSON object.");
  }
  if (name == "google.protobuf.Any") {
    return Typed("object")
        .Set("properties", JsonValue::Object().Set("@type", Typed("string")))
        .Set("additionalProperties", true)
        .Set("description",
             "A message of any type: its JSON plus an \"@type\" member with the type's URL "
             "(type.googleapis.com/<full name>).");
  }
  return std::nullopt;
}

std::string KeyNote(const pb::FieldDescriptor* key) {
  if (key->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) return "";
  return absl::StrCat("Keys are ", key->type_name(), " values written as JSON strings.");
}

void AddDescription(JsonValue* schema, const std::vector<std::string>& parts) {
  std::vector<std::string> present;
  for (const std::string& p : parts) {
    if (!p.empty()) present.push_back(p);
  }
  if (!present.empty()) schema->Set("description", absl::StrJoin(present, "\n\n"));
}

}  // namespace

std::string JoinComments(const std::string& leading, const std::string& trailing) {
  std::vector<std::string> lines;
  for (const std::string* text : {&leading, &trailing}) {
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      if (absl::StartsWith(line, " ")) line.remove_prefix(1);
      lines.emplace_back(absl::StripTrailingAsciiWhitespace(line));
    }
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  while (!lines.empty() && lines.front().empty()) lines.erase(lines.begin());
  return absl::StrJoin(lines, "\n");
}

std::string SchemaRef(const std::string& name) {
  return absl::StrCat("#/components/schemas/", name);
}

JsonValue SchemaSet::RefTo(const pb::Descriptor* message) {
  if (std::optional<JsonValue> wkt = WellKnown(message)) return *wkt;
  if (IsWrapper(message)) {
    return ValueSchema(message->field(0))
        .Set("nullable", true)
        .Set("description", absl::StrCat(message->name(), ": the value itself, or null."));
  }
  const std::string& name = message->full_name();
  if (schemas_.find(name) == schemas_.end()) {
    schemas_[name] = JsonValue::Object();  // placeholder first: a message may reach itself
    schemas_[name] = MessageSchema(message);
  }
  return JsonValue::Object().Set("$ref", SchemaRef(name));
}

JsonValue SchemaSet::EnumRef(const pb::EnumDescriptor* e) {
  const std::string& name = e->full_name();
  if (schemas_.find(name) == schemas_.end()) {
    JsonValue s = Typed("string");
    std::vector<std::string> names;
    std::vector<std::string> notes;
    for (int i = 0; i < e->value_count(); ++i) {
      const pb::EnumValueDescriptor* v = e->value(i);
      names.push_back(v->name());
      std::string comment = Comments(v);
      if (!comment.empty()) notes.push_back(absl::StrCat("- `", v->name(), "`: ", comment));
    }
    AddDescription(&s, {Comments(e), absl::StrJoin(notes, "\n")});
    s.Set("enum", JsonValue::Strings(names));
    schemas_[name] = std::move(s);
  }
  return JsonValue::Object().Set("$ref", SchemaRef(name));
}

JsonValue SchemaSet::ValueSchema(const pb::FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return Typed("integer", "int32");
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return Typed("integer", "int64")
          .Set("minimum", JsonValue::Number(0))
          .Set("maximum", JsonValue::Number(4294967295));
    // The JSON printer writes 64-bit integers as strings (JavaScript numbers lose precision).
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return Typed("string", "int64");
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return Typed("string", "uint64");
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      return Typed("number", "double");
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      return Typed("number", "float");
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return Typed("boolean");
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return field->type() == pb::FieldDescriptor::TYPE_BYTES ? Typed("string", "byte")
                                                              : Typed("string");
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return EnumRef(field->enum_type());
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return RefTo(field->message_type());
  }
  return JsonValue::Object();
}

JsonValue SchemaSet::FieldSchema(const pb::FieldDescriptor* field) {
  JsonValue s;
  std::string note;
  if (field->is_map()) {
    const pb::Descriptor* entry = field->message_type();
    s = Typed("object").Set("additionalProperties", ValueSchema(entry->map_value()));
    note = KeyNote(entry->map_key());
  } else if (field->is_repeated()) {
    s = Typed("array").Set("items", ValueSchema(field));
  } else {
    s = ValueSchema(field);
  }
  const std::string comment = Comments(field);
  const bool deprecated = field->options().deprecated();
  if (comment.empty() && note.empty() && !deprecated) return s;
  // Beside a $ref every other member is ignored in OpenAPI 3.0: wrap the reference in allOf.
  if (s.Find("$ref") != nullptr) s = JsonValue::Object().Set("allOf", JsonValue::Array().Push(s));
  AddDescription(&s, {comment, note});
  if (deprecated) s.Set("deprecated", true);
  return s;
}

JsonValue SchemaSet::MessageSchema(const pb::Descriptor* message) {
  JsonValue properties = JsonValue::Object();
  for (int i = 0; i < message->field_count(); ++i) {
    const pb::FieldDescriptor* field = message->field(i);
    properties.Set(field->json_name(), FieldSchema(field));
  }
  std::vector<std::string> oneofs;
  for (int i = 0; i < message->real_oneof_decl_count(); ++i) {
    const pb::OneofDescriptor* oneof = message->oneof_decl(i);
    std::vector<std::string> names;
    for (int f = 0; f < oneof->field_count(); ++f) {
      names.push_back(absl::StrCat("`", oneof->field(f)->json_name(), "`"));
    }
    oneofs.push_back(absl::StrCat("Oneof `", oneof->name(), "`: at most one of ",
                                  absl::StrJoin(names, ", "), " is set."));
  }
  JsonValue s = Typed("object");
  AddDescription(&s, {Comments(message), absl::StrJoin(oneofs, "\n")});
  if (!properties.empty()) s.Set("properties", std::move(properties));
  return s;
}

void SchemaSet::Add(const std::string& name, JsonValue schema) {
  schemas_[name] = std::move(schema);
}

JsonValue SchemaSet::Components() const {
  JsonValue out = JsonValue::Object();
  for (const auto& [name, schema] : schemas_) out.Set(name, schema);
  return out;
}

}  // namespace omniroute::openapi
