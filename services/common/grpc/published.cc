#include "services/common/grpc/published.h"

#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>

#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"

namespace omniroute::published {
namespace {

namespace pb = google::protobuf;

constexpr std::string_view kUrlPrefix = "type.googleapis.com";

struct Published {
  pb::FileDescriptorSet files;
  pb::DescriptorPool pool;
  std::unique_ptr<pb::util::TypeResolver> resolver;
};

const Published& Get() {
  static const Published* published = [] {
    auto* p = new Published;
    std::string_view set = PublishedDescriptorSet();
    if (!p->files.ParseFromArray(set.data(), static_cast<int>(set.size()))) std::abort();
    // protoc writes the set with imports first, so each file's dependencies are built already.
    for (const auto& file : p->files.file()) {
      if (p->pool.BuildFile(file) == nullptr) std::abort();
    }
    p->resolver.reset(
        pb::util::NewTypeResolverForDescriptorPool(std::string(kUrlPrefix), &p->pool));
    return p;
  }();
  return *published;
}

std::string TypeUrl(std::string_view type_name) {
  return absl::StrCat(std::string(kUrlPrefix), "/", std::string(type_name));
}

}  // namespace

const pb::FileDescriptorSet& Files() { return Get().files; }
const pb::DescriptorPool& Pool() { return Get().pool; }

const pb::Descriptor* Message(std::string_view full_name) {
  return Pool().FindMessageTypeByName(std::string(full_name));
}

const pb::ServiceDescriptor* Service(std::string_view full_name) {
  return Pool().FindServiceByName(std::string(full_name));
}

absl::StatusOr<std::string> JsonToBinary(std::string_view json, std::string_view type_name,
                                         bool ignore_unknown_fields) {
  if (Message(type_name) == nullptr) {
    return absl::InternalError(absl::StrCat("no published message type ", std::string(type_name)));
  }
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = ignore_unknown_fields;
  std::string binary;
  auto st =
      pb::util::JsonToBinaryString(Get().resolver.get(), TypeUrl(type_name),
                                   pb::StringPiece(json.data(), json.size()), &binary, options);
  if (!st.ok()) return absl::InvalidArgumentError(st.message().as_string());
  return binary;
}

absl::Status FromJson(std::string_view json, pb::Message* out, bool ignore_unknown_fields) {
  auto binary = JsonToBinary(json, out->GetDescriptor()->full_name(), ignore_unknown_fields);
  if (!binary.ok()) return binary.status();
  if (!out->ParseFromString(*binary)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a valid ", out->GetDescriptor()->full_name()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> BinaryToJson(std::string_view binary, std::string_view type_name,
                                         const pb::util::JsonPrintOptions& options) {
  if (Message(type_name) == nullptr) {
    return absl::InternalError(absl::StrCat("no published message type ", std::string(type_name)));
  }
  std::string json;
  auto st = pb::util::BinaryToJsonString(Get().resolver.get(), TypeUrl(type_name),
                                         std::string(binary), &json, options);
  if (!st.ok()) return absl::InternalError(st.message().as_string());
  return json;
}

absl::StatusOr<std::string> ToJson(const pb::Message& message,
                                   const pb::util::JsonPrintOptions& options) {
  return BinaryToJson(message.SerializeAsString(), message.GetDescriptor()->full_name(), options);
}

}  // namespace omniroute::published
