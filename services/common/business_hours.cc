#include "services/common/business_hours.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace omniroute {
namespace {

// An IANA name ("Europe/Berlin", "Etc/GMT+1", "UTC"). abseil also loads a zone from any file
// path ("/dev/stdin", "file:/x", "Europe/../../x"): a queue's time zone must not make the
// service read, or block on, a file of its choosing.
bool IsZoneName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') return false;
  char previous = 0;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '+' && c != '-' && c != '/') return false;
    if (c == '/' && previous == '/') return false;
    previous = c;
  }
  return true;
}

// Whether the zone file of a name IsZoneName accepted exists (where abseil reads it: $TZDIR or
// /usr/share/zoneinfo). abseil caches every name it is asked to load, a name without a zone file
// too (as UTC): asking it only for zones that exist keeps that cache to the zones there are,
// whatever names the API is sent.
bool ZoneExists(const std::string& name) {
  if (name == "UTC") return true;
  const char* dir = std::getenv("TZDIR");
  std::string path =
      absl::StrCat(dir != nullptr && *dir != 0 ? dir : "/usr/share/zoneinfo", "/", name);
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

absl::Status ValidateBusinessHours(const v1::BusinessHours& hours) {
  if (hours.windows().empty()) return absl::OkStatus();
  absl::TimeZone tz;
  if (!IsZoneName(hours.time_zone()) || !ZoneExists(hours.time_zone()) ||
      !absl::LoadTimeZone(hours.time_zone(), &tz)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "queue.business_hours.time_zone: unknown time zone '", hours.time_zone(), "'"));
  }
  for (int i = 0; i < hours.windows_size(); ++i) {
    const auto& w = hours.windows(i);
    std::string f = absl::StrCat("queue.business_hours.windows[", i, "]");
    if (w.day_of_week() < 1 || w.day_of_week() > 7) {
      return absl::InvalidArgumentError(f + ".day_of_week: must be 1 (Monday)..7 (Sunday)");
    }
    if (w.open_minute() < 0 || w.open_minute() > 1439) {
      return absl::InvalidArgumentError(f + ".open_minute: must be 0..1439");
    }
    if (w.close_minute() <= w.open_minute() || w.close_minute() > 1440) {
      return absl::InvalidArgumentError(f + ".close_minute: must be open_minute+1..1440");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> IsOpen(const v1::BusinessHours& hours, int64_t now_ms) {
  if (hours.windows().empty()) return true;
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(hours.time_zone(), &tz)) {
    return absl::FailedPreconditionError(absl::StrCat("unknown time zone ", hours.time_zone()));
  }
  absl::CivilSecond local = absl::ToCivilSecond(absl::FromUnixMillis(now_ms), tz);
  int day = 0;
  switch (absl::GetWeekday(local)) {
    case absl::Weekday::monday:
      day = 1;
      break;
    case absl::Weekday::tuesday:
      day = 2;
      break;
    case absl::Weekday::wednesday:
      day = 3;
      break;
    case absl::Weekday::thursday:
      day = 4;
      break;
    case absl::Weekday::friday:
      day = 5;
      break;
    case absl::Weekday::saturday:
      day = 6;
      break;
    case absl::Weekday::sunday:
      day = 7;
      break;
  }
  int minute = local.hour() * 60 + local.minute();
  for (const auto& w : hours.windows()) {
    if (w.day_of_week() == day && minute >= w.open_minute() && minute < w.close_minute()) {
      return true;
    }
  }
  return false;
}

}  // namespace omniroute
