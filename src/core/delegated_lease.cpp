#include <algorithm>
#include <arcp/delegated_lease.hpp>

namespace arcp {

Result<DelegatedLease> delegate_lease(const CompiledLease& parent,
                                      const BudgetCounters& parent_budget,
                                      std::optional<SystemTime> parent_expires,
                                      const CompiledLease& child,
                                      std::optional<SystemTime> child_expires) {
  if (auto covered = parent.covers(child); !covered) return covered.error();
  DelegatedLease out{child.json(), child_expires};

  // Budgets: against what the parent has left now, not what it started with.
  json::array amounts;
  auto child_budget = BudgetCounters::from_lease(child.json());
  for (const auto& [currency, _] : parent_budget.to_json()) {
    // What other holds (running children, reservations) leave free.
    auto left = std::max<std::int64_t>(parent_budget.available(currency).value_or(0), 0);
    if (auto asked = child_budget.remaining(currency)) {
      if (*asked > left)
        return Error(ErrorCode::kLeaseSubsetViolation,
                     "the child's cost.budget in " + std::string(currency) +
                         " exceeds the parent's remaining " + format_budget_amount(currency, left),
                     json::object{{"capability", "cost.budget"},
                                  {"pattern", format_budget_amount(currency, *asked)}});
      amounts.emplace_back(format_budget_amount(currency, *asked));
    } else {
      amounts.emplace_back(format_budget_amount(currency, left));  // inherited
    }
  }
  if (!amounts.empty()) out.lease["cost.budget"] = std::move(amounts);

  if (parent_expires) {
    if (child_expires && *child_expires > *parent_expires)
      return Error(
          ErrorCode::kLeaseSubsetViolation,
          "the child's expires_at is later than the parent's " + format_rfc3339(*parent_expires),
          json::object{{"constraint", "expires_at"}});
    if (!child_expires) out.expires_at = parent_expires;  // inherited
  }
  return out;
}

}  // namespace arcp
