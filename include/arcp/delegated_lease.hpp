// §9.4 at delegation time: a child's lease against its parent's, with the
// parent's *remaining* budget and its expiry.
#pragma once

#include <arcp/budget.hpp>
#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <arcp/lease.hpp>
#include <arcp/time.hpp>
#include <optional>

namespace arcp {

struct DelegatedLease {
  json::object lease;                    // the child's effective lease
  std::optional<SystemTime> expires_at;  // the child's effective expiry
};

/// Checks `child` against `parent` when a job delegates: every child pattern
/// is covered by the parent's (CompiledLease::covers), each child budget is
/// at most the parent's available amount in that currency (remaining
/// minus what reservations, such as running children's budgets, hold)
/// (`parent_budget`, at the time of delegation), and a child `expires_at`
/// is no later than the parent's. What the child does not name it inherits:
/// the parent's expiry (the earlier of the two applies), and for each
/// currency the parent budgets, the parent's remaining amount (a child is
/// never unbudgeted under a budgeted parent). LEASE_SUBSET_VIOLATION with
/// details {capability, pattern} or {constraint: "expires_at"} otherwise.
Result<DelegatedLease> delegate_lease(const CompiledLease& parent,
                                      const BudgetCounters& parent_budget,
                                      std::optional<SystemTime> parent_expires,
                                      const CompiledLease& child,
                                      std::optional<SystemTime> child_expires);

}  // namespace arcp
