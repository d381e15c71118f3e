// §9 lease grammar: capability namespaces, `cost.budget` amounts and constraints.
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <arcp/time.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace arcp {

/// The seven reserved namespaces of §9.2.
bool is_reserved_capability(std::string_view name);

/// Validates a `lease_request` object: keys reserved or `x-vendor.*`, values
/// arrays of non-empty strings, `cost.budget` entries `currency:decimal`.
/// Violations → INVALID_REQUEST naming the offending key.
Result<void> validate_lease(const json::object& lease);

/// Validates `lease_constraints`: `expires_at` must be RFC 3339, `Z`, and after `now`.
Result<void> validate_lease_constraints(const json::object& constraints, SystemTime now);

/// A parsed `cost.budget` amount; `units` is the value in 10^-9 of the currency
/// so arithmetic is exact (no float drift).
struct BudgetAmount {
  std::string currency;
  std::int64_t nano_units = 0;
  double as_double() const { return static_cast<double>(nano_units) / 1e9; }
};
std::optional<BudgetAmount> parse_budget_amount(std::string_view text);

}  // namespace arcp
