// parse_budget_amount, to_nano_units and nano_units_to_json on arbitrary
// bytes: accepted amounts are in range and survive the JSON round trip.
#include <arcp/budget.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "fuzz_check.hpp"

namespace {

constexpr std::int64_t kNanos = 1'000'000'000;
constexpr std::int64_t kMaxAmount = 999'999'999 * kNanos + 999'999'999;

// Values up to 10^6 units keep nanounit precision through a double.
void check_round_trip(std::int64_t nano) {
  auto v = arcp::nano_units_to_json(nano);
  if (nano % kNanos == 0) FUZZ_CHECK(v.is_int64() && v.as_int64() == nano / kNanos);
  if (nano % kNanos != 0) FUZZ_CHECK(v.is_double());
  if (std::llabs(nano) > 1'000'000 * kNanos) return;
  double d = v.is_int64() ? static_cast<double>(v.as_int64()) : v.as_double();
  auto back = arcp::to_nano_units(d);
  FUZZ_CHECK(back.has_value() && *back == nano);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto a = arcp::parse_budget_amount(text)) {
    FUZZ_CHECK(!a->currency.empty() && a->currency.size() <= 32);
    FUZZ_CHECK(a->nano_units >= 0 && a->nano_units <= kMaxAmount);
    check_round_trip(a->nano_units);
    auto counters = arcp::BudgetCounters::from_lease(
        arcp::json::object{{"cost.budget", arcp::json::array{arcp::json::string(text)}}});
    FUZZ_CHECK(counters.remaining(a->currency) == a->nano_units);
    auto held = counters.reserve(a->currency, a->nano_units);
    FUZZ_CHECK(held.ok());
    FUZZ_CHECK(!counters.reserve(a->currency, 1).ok());
    auto left = counters.commit(*held, a->nano_units);
    FUZZ_CHECK(left.ok() && left.value() == 0);
  }
  if (size >= sizeof(double)) {
    double d = 0;
    std::memcpy(&d, data, sizeof d);
    auto nano = arcp::to_nano_units(d);
    if (!std::isfinite(d) || std::fabs(d) >= 9.3e9) FUZZ_CHECK(!nano.has_value());
    if (nano) {
      FUZZ_CHECK(std::fabs(static_cast<double>(*nano) / 1e9 - d) <= 1e-9 + std::fabs(d) * 1e-15);
      check_round_trip(*nano);
    }
  }
  if (size >= sizeof(std::int64_t)) {
    std::int64_t n = 0;
    std::memcpy(&n, data, sizeof n);
    check_round_trip(n);
  }
  return 0;
}
