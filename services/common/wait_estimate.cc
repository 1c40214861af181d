#include "services/common/wait_estimate.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace omniroute {
namespace {

// Steps summed one by one; the rest of a longer line is summed as an integral (the terms
// change slowly that far back).
constexpr int64_t kExactSteps = 10000;

// The regularized lower incomplete gamma function P(a, x) (series below a + 1, Lentz's
// continued fraction for the upper part above).
double RegularizedGammaP(double a, double x) {
  if (x <= 0) return 0;
  double log_front = -x + a * std::log(x) - std::lgamma(a);
  constexpr double kEps = 1e-14, kTiny = 1e-300;
  if (x < a + 1) {
    double term = 1 / a, sum = term;
    for (int n = 1; n < 100000 && std::fabs(term) > std::fabs(sum) * kEps; ++n) {
      term *= x / (a + n);
      sum += term;
    }
    return std::min(1.0, sum * std::exp(log_front));
  }
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < kEps) break;
  }
  return std::max(0.0, 1 - std::exp(log_front) * h);
}

// Finds x in [lo, hi] with f(x) = p for an increasing f, by bisection.
template <typename F>
double Invert(F f, double p, double lo, double hi) {
  while (f(hi) < p) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    double mid = (lo + hi) / 2;
    (f(mid) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace

double GammaQuantile(double shape, double scale, double p) {
  if (shape > 1000) {
    // Wilson-Hilferty: (X / (shape*scale))^(1/3) is nearly normal for a large shape.
    double z = Invert([](double v) { return 0.5 * std::erfc(-v / std::sqrt(2.0)); }, p, -40, 40);
    double v = 1 / (9 * shape);
    return shape * scale * std::pow(std::max(0.0, 1 - v + z * std::sqrt(v)), 3);
  }
  double x = Invert([shape](double v) { return RegularizedGammaP(shape, v); }, p, 0,
                    shape + 10 * std::sqrt(shape) + 10);
  return x * scale;
}

std::optional<WaitEstimate> EstimateWait(int64_t position, int64_t free_slots, const WaitModel& m) {
  int64_t steps = std::max<int64_t>(0, position - std::max<int64_t>(0, free_slots));
  if (steps == 0 && position > 0) return WaitEstimate{};
  if (m.servers <= 0 || m.handle_seconds <= 0 || position <= 0) return std::nullopt;
  double service = static_cast<double>(m.servers) / m.handle_seconds;
  double theta = std::max(0.0, m.abandon_rate);
  double mean = 0, var = 0;
  int64_t exact = std::min(steps, kExactSteps);
  for (int64_t j = 0; j < exact; ++j) {
    double rate = service + static_cast<double>(j) * theta;
    mean += 1 / rate;
    var += 1 / (rate * rate);
  }
  if (steps > exact) {
    double from = service + static_cast<double>(exact) * theta;
    double to = service + static_cast<double>(steps) * theta;
    double n = static_cast<double>(steps - exact);
    mean += theta > 0 ? std::log(to / from) / theta : n / service;
    var += theta > 0 ? (1 / from - 1 / to) / theta : n / (service * service);
  }
  double shape = mean * mean / var, scale = var / mean;
  return WaitEstimate{mean, GammaQuantile(shape, scale, kWaitBandLow),
                      GammaQuantile(shape, scale, kWaitBandHigh)};
}

std::vector<std::string> WaitInputsFields(const WaitInputs& in) {
  std::vector<std::string> kv = {"handle_ms",    absl::StrFormat("%.1f", in.handle_ms),
                                 "abandon_rate", absl::StrFormat("%.6g", in.abandon_rate),
                                 "updated_ms",   absl::StrCat(in.updated_ms)};
  for (const auto& [ch, n] : in.servers) {
    kv.push_back(absl::StrCat("servers:", ch));
    kv.push_back(absl::StrCat(n));
  }
  return kv;
}

WaitInputs ParseWaitInputs(const std::vector<std::string>& kv) {
  WaitInputs in;
  for (size_t i = 0; i + 1 < kv.size(); i += 2) {
    const std::string& k = kv[i];
    const std::string& v = kv[i + 1];
    int ch = 0;
    int64_t n = 0;
    if (k == "handle_ms") {
      if (!absl::SimpleAtod(v, &in.handle_ms)) in.handle_ms = 0;
    } else if (k == "abandon_rate") {
      if (!absl::SimpleAtod(v, &in.abandon_rate)) in.abandon_rate = 0;
    } else if (k == "updated_ms") {
      if (!absl::SimpleAtoi(v, &in.updated_ms)) in.updated_ms = 0;
    } else if (k.rfind("servers:", 0) == 0 && absl::SimpleAtoi(k.substr(8), &ch) &&
               absl::SimpleAtoi(v, &n)) {
      in.servers[ch] = n;
    }
  }
  return in;
}

std::optional<v1::EstimatedWait> EstimateFromInputs(const WaitInputs& in, int channel,
                                                    int64_t position, int64_t free_slots,
                                                    int64_t now_ms) {
  int64_t age = now_ms - in.updated_ms;
  if (in.updated_ms <= 0 || age > kWaitInputsMaxAgeMs) return std::nullopt;
  auto it = in.servers.find(channel);
  WaitModel m{it == in.servers.end() ? 0 : it->second, in.handle_ms / 1000.0, in.abandon_rate};
  auto e = EstimateWait(position, free_slots, m);
  if (!e.has_value()) return std::nullopt;
  v1::EstimatedWait out;
  out.set_seconds(e->seconds);
  out.set_low_seconds(e->low_seconds);
  out.set_high_seconds(e->high_seconds);
  out.set_method(kWaitMethod);
  out.set_position(position);
  out.set_staffed(m.servers);
  out.set_free(std::max<int64_t>(0, free_slots));
  out.set_handle_seconds(m.handle_seconds);
  out.set_abandon_rate_per_second(m.abandon_rate);
  out.set_inputs_age_ms(std::max<int64_t>(0, age));
  return out;
}

}  // namespace omniroute
