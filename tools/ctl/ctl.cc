#include "tools/ctl/ctl.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace omniroute::ctl {
namespace {

const char* FormatName(Format f) {
  return f == Format::kText ? "text" : f == Format::kJson ? "json" : "yaml";
}

}  // namespace

const char kExitCodesHelp[] =
    "exit codes: 0 done; 1 Redis or the server unreachable, or another runtime error; 2 usage "
    "error (bad flags or arguments, unreadable or invalid file, input the server refused as "
    "invalid); 3 not found; 4 refused (the API key is unknown or revoked, or lacks the role)\n";

std::string Wrap(const std::string& text, size_t width) {
  std::string out;
  for (absl::string_view paragraph : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    size_t column = 0;
    for (absl::string_view word : absl::StrSplit(paragraph, ' ', absl::SkipEmpty())) {
      if (column > 0 && column + 1 + word.size() > width) {
        out += "\n";
        column = 0;
      } else if (column > 0) {
        out += " ";
        ++column;
      }
      absl::StrAppend(&out, word);
      column += word.size();
    }
    out += "\n";
  }
  return out;
}

std::optional<int> ParseFlags(config::Flags& flags, const std::string& description, int argc,
                              char** argv) {
  flags.SetDescription(Wrap(description + kExitCodesHelp, 100));
  auto st = flags.Parse(argc, argv);
  if (st.ok()) return std::nullopt;
  if (st.code() == absl::StatusCode::kNotFound) {  // --help, --version
    std::printf("%s\n", std::string(st.message()).c_str());
    return kExitOk;
  }
  std::fprintf(stderr, "%s: %s\n", argv[0], std::string(st.message()).c_str());
  return kExitUsage;
}

int Fail(const std::string& what, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), std::string(status.message()).c_str());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return kExitUsage;
    case absl::StatusCode::kNotFound:
      return kExitNotFound;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitRefused;
    default:
      return kExitFailed;
  }
}

int Fail(const std::string& what, const grpc::Status& status) {
  // gRPC's codes are absl's; the code's name (e.g. NOT_FOUND) tells an operator what happened.
  auto code = static_cast<absl::StatusCode>(status.error_code());
  return Fail(what, absl::Status(code, absl::StrCat(absl::StatusCodeToString(code), ": ",
                                                    status.error_message())));
}

std::optional<int> RedisFlags::Parse(config::Flags& flags, const std::string& description, int argc,
                                     char** argv) {
  flags.Add("redis-url", &url,
            "Redis, redis://[[user]:password@]host:port[/db] or unix:///path, or a Redis "
            "Cluster, redis+cluster://[[user]:password@]host:port[,host:port...]");
  return ParseFlags(flags, description, argc, argv);
}

absl::StatusOr<std::unique_ptr<redis::Connection>> RedisFlags::Connect() const {
  auto endpoint = redis::ParseUrl(url);
  if (!endpoint.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--redis-url: ", endpoint.status().message()));
  }
  auto conn = redis::Connection::Open(*endpoint, std::chrono::milliseconds(5000));
  if (!conn.ok()) {
    return absl::UnavailableError(
        absl::StrCat("Redis at ", redis::RedactUrl(url), ": ", conn.status().message()));
  }
  return conn;
}

std::optional<int> ApiFlags::Parse(config::Flags& flags, const std::string& arg_name,
                                   const std::vector<Format>& formats,
                                   const std::string& description, int argc, char** argv) {
  flags.Add("routing-addr", &routing_addr, "the routing service (Admin and Routing), host:port");
  flags.Add("api-key", &api_key, "API key (better given as OMNIROUTE_API_KEY)");
  flags.Add("tenant", &tenant, "tenant to act on (empty: the API key's own)");
  flags.Add("timeout-ms", &timeout_ms, "deadline of each call, ms");
  tls::AddClientFlags(flags, &tls);
  if (!arg_name.empty()) flags.AddPositional(arg_name, &arg);
  std::string output, names;
  for (Format f : formats) {
    absl::StrAppend(&names, names.empty() ? "" : " or ", FormatName(f));
  }
  if (!formats.empty()) {
    output = FormatName(formats[0]);
    flags.Add("output", &output, names);
  }
  if (auto code = ParseFlags(flags, description, argc, argv)) return code;
  absl::Status st;
  if (!formats.empty()) {
    auto parsed = ParseFormat(output, formats);
    st = parsed.status();
    if (parsed.ok()) format = *parsed;
  }
  if (st.ok() && api_key.empty()) {
    st = absl::InvalidArgumentError(
        "--api-key: an API key is required (or OMNIROUTE_API_KEY in the environment)");
  }
  if (st.ok() && timeout_ms < 1) st = absl::InvalidArgumentError("--timeout-ms: must be >= 1");
  if (st.ok()) {
    auto creds = tls::ChannelCredentials(tls);
    st = creds.status();
    if (creds.ok()) credentials = *creds;
  }
  if (!st.ok()) return Fail(argv[0], st);
  return std::nullopt;
}

std::unique_ptr<sim::ApiClient> ApiFlags::Client() const {
  return std::make_unique<sim::ApiClient>(
      sim::Endpoints{routing_addr, routing_addr, routing_addr, credentials, tls.server_name});
}

std::unique_ptr<grpc::ClientContext> ApiFlags::Context() const {
  return sim::ApiClient::Context(api_key, std::chrono::milliseconds(timeout_ms));
}

absl::StatusOr<Format> ParseFormat(const std::string& value, const std::vector<Format>& allowed) {
  std::string names;
  for (Format f : allowed) {
    if (value == FormatName(f)) return f;
    absl::StrAppend(&names, names.empty() ? "" : ", ", FormatName(f));
  }
  return absl::InvalidArgumentError(absl::StrCat("--output: '", value, "' is not one of ", names));
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

std::string FormatTimeMs(int64_t ms) {
  if (ms == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

}  // namespace omniroute::ctl
