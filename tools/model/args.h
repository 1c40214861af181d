#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace omniroute::model_cli {

// The flags of one subcommand: --name value, --name=value, or a bare --name for switches. An
// unknown or repeated flag, a missing value or a positional argument is an error, so a typo never
// goes unnoticed.
class Args {
 public:
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const std::set<std::string>& value_flags,
                                    const std::set<std::string>& switch_flags);

  // Flags given as a map (name -> value), e.g. one point of a cross-validation grid.
  static Args FromMap(std::map<std::string, std::string> values) {
    Args a;
    a.values_ = std::move(values);
    return a;
  }
  const std::map<std::string, std::string>& values() const { return values_; }

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  bool Switch(const std::string& name) const { return Has(name); }

  // The value, or `fallback` when the flag is absent.
  std::string String(const std::string& name, const std::string& fallback = "") const;
  // A required flag: InvalidArgument "missing --name" when absent or empty.
  absl::StatusOr<std::string> Required(const std::string& name) const;
  // Numbers, checked to be within [min, max]; errors name the flag and the value.
  absl::StatusOr<double> Double(const std::string& name, double fallback, double min,
                                double max) const;
  absl::StatusOr<int64_t> Int(const std::string& name, int64_t fallback, int64_t min,
                              int64_t max) const;
  absl::StatusOr<uint64_t> Uint64(const std::string& name, uint64_t fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace omniroute::model_cli
