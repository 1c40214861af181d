#include "services/common/grpc/reflection_v1.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"

namespace omniroute {
namespace {

namespace pb = google::protobuf;
namespace v1 = grpc::reflection::v1;

using Reactor = grpc::ServerBidiReactor<v1::ServerReflectionRequest, v1::ServerReflectionResponse>;

constexpr int kNotFound = 5;  // google.rpc.Code
constexpr int kUnimplemented = 12;

// Adds `file` and the files it imports (dependencies first) that are not in `sent` yet.
void AddFile(const pb::FileDescriptor* file, std::vector<std::string>* sent,
             v1::FileDescriptorResponse* out) {
  if (std::find(sent->begin(), sent->end(), file->name()) != sent->end()) return;
  sent->push_back(file->name());
  for (int i = 0; i < file->dependency_count(); ++i) AddFile(file->dependency(i), sent, out);
  pb::FileDescriptorProto proto;
  file->CopyTo(&proto);
  proto.SerializeToString(out->add_file_descriptor_proto());
}

class Stream final : public Reactor {
 public:
  explicit Stream(const ReflectionV1Service* service) : service_(service) { StartRead(&req_); }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed (or went away): done
      Finish(grpc::Status::OK);
      return;
    }
    resp_ = service_->Answer(req_, &sent_);
    StartWrite(&resp_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream closed"));
      return;
    }
    StartRead(&req_);
  }
  void OnDone() override { delete this; }

 private:
  const ReflectionV1Service* service_;
  v1::ServerReflectionRequest req_;
  v1::ServerReflectionResponse resp_;
  std::vector<std::string> sent_;
};

}  // namespace

ReflectionV1Service::ReflectionV1Service(std::vector<std::string> services)
    : services_(std::move(services)) {
  // Links health.proto's descriptor into the binary (nothing else refers to it in a server,
  // whose health service is gRPC's own), so reflection can describe grpc.health.v1.Health.
  grpc::health::v1::HealthCheckRequest::descriptor();
}

Reactor* ReflectionV1Service::ServerReflectionInfo(grpc::CallbackServerContext*) {
  return new Stream(this);
}

v1::ServerReflectionResponse ReflectionV1Service::Answer(const v1::ServerReflectionRequest& req,
                                                         std::vector<std::string>* sent) const {
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  v1::ServerReflectionResponse resp;
  resp.set_valid_host(req.host());
  *resp.mutable_original_request() = req;
  auto error = [&resp](int code, std::string message) {
    resp.mutable_error_response()->set_error_code(code);
    resp.mutable_error_response()->set_error_message(std::move(message));
  };
  auto file = [&](const pb::FileDescriptor* f, const std::string& what) {
    if (f == nullptr) return error(kNotFound, absl::StrCat(what, " not found"));
    // A file asked for again is sent again, with only the imports not sent yet.
    sent->erase(std::remove(sent->begin(), sent->end(), f->name()), sent->end());
    AddFile(f, sent, resp.mutable_file_descriptor_response());
  };
  switch (req.message_request_case()) {
    case v1::ServerReflectionRequest::kListServices:
      for (const auto& name : services_) {
        resp.mutable_list_services_response()->add_service()->set_name(name);
      }
      break;
    case v1::ServerReflectionRequest::kFileByFilename:
      file(pool->FindFileByName(req.file_by_filename()),
           absl::StrCat("file '", req.file_by_filename(), "'"));
      break;
    case v1::ServerReflectionRequest::kFileContainingSymbol:
      file(pool->FindFileContainingSymbol(req.file_containing_symbol()),
           absl::StrCat("symbol '", req.file_containing_symbol(), "'"));
      break;
    case v1::ServerReflectionRequest::kFileContainingExtension: {
      const auto& ext = req.file_containing_extension();
      const pb::Descriptor* type = pool->FindMessageTypeByName(ext.containing_type());
      const pb::FieldDescriptor* field =
          type == nullptr ? nullptr : pool->FindExtensionByNumber(type, ext.extension_number());
      file(field == nullptr ? nullptr : field->file(),
           absl::StrCat("extension ", ext.extension_number(), " of '", ext.containing_type(), "'"));
      break;
    }
    case v1::ServerReflectionRequest::kAllExtensionNumbersOfType: {
      const pb::Descriptor* type = pool->FindMessageTypeByName(req.all_extension_numbers_of_type());
      if (type == nullptr) {
        error(kNotFound,
              absl::StrCat("type '", req.all_extension_numbers_of_type(), "' not found"));
        break;
      }
      std::vector<const pb::FieldDescriptor*> exts;
      pool->FindAllExtensions(type, &exts);
      auto* out = resp.mutable_all_extension_numbers_response();
      out->set_base_type_name(type->full_name());
      for (const auto* f : exts) out->add_extension_number(f->number());
      break;
    }
    default:
      error(kUnimplemented, "unknown request");
  }
  return resp;
}

}  // namespace omniroute
