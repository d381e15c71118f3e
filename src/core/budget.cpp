// §9.6 budgets in 10^-9 currency units: integers all the way, so repeated
// spends never drift and reservations compare exactly.
#include <arcp/budget.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace arcp {

namespace {

constexpr std::int64_t kNanosPerUnit = 1'000'000'000;

// Remaining amounts may go below zero (costs already incurred are counted);
// they saturate instead of wrapping.
std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_sub_overflow(a, b, &out))
    return b > 0 ? std::numeric_limits<std::int64_t>::min()
                 : std::numeric_limits<std::int64_t>::max();
  return out;
}

Error exhausted(std::string_view currency, std::int64_t remaining) {
  return Error(ErrorCode::kBudgetExhausted, "the " + std::string(currency) + " budget is exhausted",
               json::object{{"currency", currency}, {"remaining", nano_units_to_json(remaining)}});
}

}  // namespace

std::optional<std::int64_t> to_nano_units(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  // |value| < 9.2e9 units keeps value * 1e9 inside int64.
  if (std::fabs(value) >= 9.2e9) return std::nullopt;
  // Whole units and the fraction separately: the fraction keeps its precision.
  double whole = std::trunc(value);
  double frac = value - whole;
  return static_cast<std::int64_t>(whole) * kNanosPerUnit +
         static_cast<std::int64_t>(std::llround(frac * 1e9));
}

json::value nano_units_to_json(std::int64_t nano) {
  if (nano % kNanosPerUnit == 0) return json::value(nano / kNanosPerUnit);
  // Written out in decimal and read back: the nearest double, whose shortest
  // representation is that decimal (700000000 → 0.7, not 0.69999...).
  bool negative = nano < 0;
  std::uint64_t magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(nano)
                                     : static_cast<std::uint64_t>(nano);
  std::string frac = std::to_string(magnitude % kNanosPerUnit);
  frac.insert(0, 9 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  std::string text = (negative ? "-" : "") + std::to_string(magnitude / kNanosPerUnit) + "." + frac;
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return json::value(d);
}

BudgetCounters BudgetCounters::from_lease(const json::object& lease) {
  BudgetCounters out;
  const json::array* amounts = get_array(lease, "cost.budget");
  if (!amounts) return out;
  for (const auto& v : *amounts) {
    if (!v.is_string()) continue;
    auto a = parse_budget_amount(v.get_string());
    if (!a) continue;
    auto it = out.remaining_.find(a->currency);
    if (it == out.remaining_.end())
      out.remaining_.emplace(a->currency, a->nano_units);
    else if (a->nano_units < it->second)
      it->second = a->nano_units;
  }
  return out;
}

bool BudgetCounters::empty() const {
  std::lock_guard lock(mu_);
  return remaining_.empty();
}

bool BudgetCounters::has(std::string_view currency) const {
  std::lock_guard lock(mu_);
  return remaining_.find(currency) != remaining_.end();
}

std::optional<std::int64_t> BudgetCounters::remaining(std::string_view currency) const {
  std::lock_guard lock(mu_);
  auto it = remaining_.find(currency);
  if (it == remaining_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::int64_t> BudgetCounters::available(std::string_view currency) const {
  std::lock_guard lock(mu_);
  auto it = remaining_.find(currency);
  if (it == remaining_.end()) return std::nullopt;
  auto held = held_.find(currency);
  return held == held_.end() ? it->second : saturating_sub(it->second, held->second);
}

Result<void> BudgetCounters::check() const {
  std::lock_guard lock(mu_);
  for (const auto& [currency, left] : remaining_)
    if (left <= 0) return exhausted(currency, left);
  return {};
}

Result<std::optional<std::int64_t>> BudgetCounters::spend(std::string_view currency,
                                                          std::int64_t nano) {
  if (nano < 0)
    return Error(ErrorCode::kInvalidRequest, "a cost must not be negative",
                 json::object{{"currency", currency}});
  std::lock_guard lock(mu_);
  auto it = remaining_.find(currency);
  if (it == remaining_.end()) return std::optional<std::int64_t>{};
  it->second = saturating_sub(it->second, nano);
  return std::optional<std::int64_t>{it->second};
}

Result<std::uint64_t> BudgetCounters::reserve(std::string_view currency, std::int64_t nano) {
  if (nano < 0)
    return Error(ErrorCode::kInvalidRequest, "a reservation must not be negative",
                 json::object{{"currency", currency}});
  std::lock_guard lock(mu_);
  auto it = remaining_.find(currency);
  // Nothing bounds an unbudgeted currency, so there is nothing to hold: the
  // caller asks has() first.
  if (it == remaining_.end())
    return Error(ErrorCode::kInvalidRequest,
                 "no " + std::string(currency) + " budget to reserve from",
                 json::object{{"currency", currency}});
  auto held = held_.find(currency);
  std::int64_t already = held == held_.end() ? 0 : held->second;
  std::int64_t available = saturating_sub(it->second, already);
  if (available < nano) return exhausted(currency, available);
  if (held == held_.end())
    held_.emplace(std::string(currency), nano);
  else
    held->second += nano;  // ≤ remaining, so no overflow
  std::uint64_t id = ++next_hold_;
  holds_.emplace(id, Hold{std::string(currency), nano});
  return id;
}

Result<std::int64_t> BudgetCounters::commit(std::uint64_t reservation, std::int64_t actual_nano) {
  if (actual_nano < 0) return Error(ErrorCode::kInvalidRequest, "a cost must not be negative");
  std::lock_guard lock(mu_);
  auto h = holds_.find(reservation);
  if (h == holds_.end())
    return Error(ErrorCode::kInvalidRequest, "unknown or already settled budget reservation");
  auto held = held_.find(h->second.currency);
  held->second -= h->second.nano;
  auto it = remaining_.find(h->second.currency);
  it->second = saturating_sub(it->second, actual_nano);
  std::int64_t left = it->second;
  holds_.erase(h);
  return left;
}

void BudgetCounters::release(std::uint64_t reservation) {
  std::lock_guard lock(mu_);
  auto h = holds_.find(reservation);
  if (h == holds_.end()) return;
  held_.find(h->second.currency)->second -= h->second.nano;
  holds_.erase(h);
}

json::object BudgetCounters::to_json() const {
  std::lock_guard lock(mu_);
  json::object out;
  for (const auto& [currency, left] : remaining_) out[currency] = nano_units_to_json(left);
  return out;
}

BudgetCounters::BudgetCounters(BudgetCounters&& other) noexcept {
  std::lock_guard lock(other.mu_);
  remaining_ = std::move(other.remaining_);
  held_ = std::move(other.held_);
  holds_ = std::move(other.holds_);
  next_hold_ = other.next_hold_;
}

BudgetCounters& BudgetCounters::operator=(BudgetCounters&& other) noexcept {
  if (this == &other) return *this;
  std::scoped_lock lock(mu_, other.mu_);
  remaining_ = std::move(other.remaining_);
  held_ = std::move(other.held_);
  holds_ = std::move(other.holds_);
  next_hold_ = other.next_hold_;
  return *this;
}

}  // namespace arcp
