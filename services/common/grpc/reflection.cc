#include "services/common/grpc/reflection.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "services/common/grpc/published.h"

namespace omniroute {
namespace {

namespace pb = google::protobuf;

constexpr int kNotFound = 5;  // google.rpc.Code
constexpr int kUnimplemented = 12;

// The published files as clients get them (with their comments), by name.
const std::map<std::string, std::string>& SerializedFiles() {
  static const auto* files = [] {
    auto* m = new std::map<std::string, std::string>;
    for (const auto& f : published::Files().file()) (*m)[f.name()] = f.SerializeAsString();
    return m;
  }();
  return *files;
}

// Adds `file` and the files it imports (dependencies first) that are not in `sent` yet.
template <typename FileResponse>
void AddFile(const pb::FileDescriptor* file, std::vector<std::string>* sent, FileResponse* out) {
  if (std::find(sent->begin(), sent->end(), file->name()) != sent->end()) return;
  sent->push_back(file->name());
  for (int i = 0; i < file->dependency_count(); ++i) AddFile(file->dependency(i), sent, out);
  out->add_file_descriptor_proto(SerializedFiles().at(file->name()));
}

template <typename Api>
class Stream final : public grpc::ServerBidiReactor<typename ReflectionService<Api>::Request,
                                                    typename ReflectionService<Api>::Response> {
 public:
  explicit Stream(const ReflectionService<Api>* service) : service_(service) {
    this->StartRead(&req_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed (or went away): done
      this->Finish(grpc::Status::OK);
      return;
    }
    resp_ = service_->Answer(req_, &sent_);
    this->StartWrite(&resp_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream closed"));
      return;
    }
    this->StartRead(&req_);
  }
  void OnDone() override { delete this; }

 private:
  const ReflectionService<Api>* service_;
  typename ReflectionService<Api>::Request req_;
  typename ReflectionService<Api>::Response resp_;
  std::vector<std::string> sent_;
};

}  // namespace

template <typename Api>
grpc::ServerBidiReactor<typename ReflectionService<Api>::Request,
                        typename ReflectionService<Api>::Response>*
ReflectionService<Api>::ServerReflectionInfo(grpc::CallbackServerContext*) {
  return new Stream<Api>(this);
}

template <typename Api>
typename ReflectionService<Api>::Response ReflectionService<Api>::Answer(
    const Request& req, std::vector<std::string>* sent) const {
  const pb::DescriptorPool* pool = &published::Pool();
  Response resp;
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
    case Request::kListServices:
      for (const auto& name : services_) {
        resp.mutable_list_services_response()->add_service()->set_name(name);
      }
      break;
    case Request::kFileByFilename:
      file(pool->FindFileByName(req.file_by_filename()),
           absl::StrCat("file '", req.file_by_filename(), "'"));
      break;
    case Request::kFileContainingSymbol:
      file(pool->FindFileContainingSymbol(req.file_containing_symbol()),
           absl::StrCat("symbol '", req.file_containing_symbol(), "'"));
      break;
    case Request::kFileContainingExtension: {
      const auto& ext = req.file_containing_extension();
      const pb::Descriptor* type = pool->FindMessageTypeByName(ext.containing_type());
      const pb::FieldDescriptor* field =
          type == nullptr ? nullptr : pool->FindExtensionByNumber(type, ext.extension_number());
      file(field == nullptr ? nullptr : field->file(),
           absl::StrCat("extension ", ext.extension_number(), " of '", ext.containing_type(), "'"));
      break;
    }
    case Request::kAllExtensionNumbersOfType: {
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

template class ReflectionService<ReflectionV1>;
template class ReflectionService<ReflectionV1Alpha>;

}  // namespace omniroute
