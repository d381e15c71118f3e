// §9.6 cost.budget: per-currency fixed-point counters with atomic reservations.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <arcp/lease.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace arcp {

/// Converts a JSON number (a cost metric's value) to 10^-9 units, rounding
/// to the nearest unit; nullopt for NaN, infinities or out-of-range values.
std::optional<std::int64_t> to_nano_units(double value);
/// 10^-9 units as the JSON number clients read (1000000000 → 1, 700000000 → 0.7).
json::value nano_units_to_json(std::int64_t nano);

/// One counter per currency, initialised from the lease's `cost.budget`
/// amounts at acceptance (two amounts in one currency: the smaller wins).
/// Thread-safe: agents may spend and reserve from several threads.
class BudgetCounters {
 public:
  BudgetCounters() = default;
  /// From an already validated lease (`validate_lease`).
  static BudgetCounters from_lease(const json::object& lease);

  bool empty() const;
  bool has(std::string_view currency) const;
  /// Remaining, not counting reservations; nullopt for an unbudgeted currency.
  std::optional<std::int64_t> remaining(std::string_view currency) const;
  /// Remaining minus what reservations hold (what may still be reserved).
  std::optional<std::int64_t> available(std::string_view currency) const;

  /// BUDGET_EXHAUSTED (details {currency, remaining}) when any counter is ≤ 0.
  Result<void> check() const;

  /// Records cost reported by a `cost.*` metric: decrements the counter of
  /// `currency` (which may go below zero: costs already incurred are
  /// counted, §9.6). INVALID_REQUEST for a negative amount (nothing
  /// changes). Returns the remaining amount; nullopt when the currency is
  /// not budgeted (nothing to do).
  Result<std::optional<std::int64_t>> spend(std::string_view currency, std::int64_t nano);

  /// Holds `nano` of `currency` for an operation about to happen; fails
  /// with BUDGET_EXHAUSTED, holding nothing, when remaining minus what is
  /// already held is below `nano`. Concurrent reservations never add up to
  /// more than the counter. Returns a reservation id.
  Result<std::uint64_t> reserve(std::string_view currency, std::int64_t nano);
  /// Settles a reservation at its actual cost (which may differ from what
  /// was held) and frees the hold. Returns the remaining amount.
  Result<std::int64_t> commit(std::uint64_t reservation, std::int64_t actual_nano);
  /// Frees a hold without spending.
  void release(std::uint64_t reservation);

  /// `{"USD": 0.7, ...}` remaining per currency (job.accepted.budget,
  /// job.subscribed, list_jobs).
  json::object to_json() const;

  BudgetCounters(const BudgetCounters&) = delete;
  BudgetCounters& operator=(const BudgetCounters&) = delete;
  BudgetCounters(BudgetCounters&&) noexcept;
  BudgetCounters& operator=(BudgetCounters&&) noexcept;

 private:
  struct Hold {
    std::string currency;
    std::int64_t nano;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t, std::less<>> remaining_;
  std::map<std::string, std::int64_t, std::less<>> held_;
  std::map<std::uint64_t, Hold> holds_;
  std::uint64_t next_hold_ = 0;
};

}  // namespace arcp
