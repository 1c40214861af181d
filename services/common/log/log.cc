#include "services/common/log/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>

#include "absl/strings/string_view.h"

namespace omniroute::log {
namespace {

std::mutex mu;
std::string service_name = "omniroute";  // guarded by mu
std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> last_warned;

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = ms / 1000;
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int values, so the compiler can prove no truncation
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

void Write(absl::string_view level, absl::string_view msg, Fields fields) {
  std::string line = "{\"ts\":\"" + Timestamp() + "\",\"level\":\"" + std::string(level) + "\"";
  std::lock_guard<std::mutex> lock(mu);
  line += ",\"service\":\"" + JsonEscape(service_name) + "\",\"msg\":\"" + JsonEscape(msg) + "\"";
  for (const auto& [k, v] : fields) {
    line += ",\"" + JsonEscape(k) + "\":\"" + JsonEscape(v) + "\"";
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void Init(absl::string_view service) {
  std::lock_guard<std::mutex> lock(mu);
  service_name = std::string(service);
}

void Info(absl::string_view msg, Fields fields) { Write("info", msg, fields); }
void Warn(absl::string_view msg, Fields fields) { Write("warn", msg, fields); }
void Error(absl::string_view msg, Fields fields) { Write("error", msg, fields); }

void WarnEvery(absl::string_view key, int seconds, absl::string_view msg, Fields fields) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = last_warned.find(key);
    if (it != last_warned.end() && now - it->second < std::chrono::seconds(seconds)) return;
    last_warned[std::string(key)] = now;
  }
  Write("warn", msg, fields);
}

std::string JsonEscape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace omniroute::log
