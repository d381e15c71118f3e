// Internal: what a job's authority looks like to a credential provisioner
// (§9.8.3), for the credential issued at acceptance, its rotations, and
// (for delegation, §10) a child job's own credential.
#pragma once

#include <arcp/budget.hpp>
#include <arcp/credentials.hpp>

#include "runtime/job.hpp"

namespace arcp::runtime {

/// Amount free to spend per budgeted currency (remaining minus holds, ≥ 0).
std::vector<BudgetAmount> budget_amounts(const BudgetCounters& counters);

/// The request for a job of `spec` holding `remaining`; `credential_id`
/// names the credential (a fresh `cred_…` at acceptance) and is its first
/// issuance id too.
///
/// Delegation (§9.8.2, X06) hooks in here: a child job whose parent holds
/// credentials gets its own from `services->credentials->issue(
/// credential_request(child_spec, new_id("cred"), budget_amounts(child budget)))`
/// (off the I/O threads), put in `child_spec.credentials` before the child
/// Job is built. Being the child's credential, it is bounded by the child's
/// (already narrowed) lease and revoked by the child's own ending, like any
/// other; a parent that ends its children before it ends leaves none live.
CredentialRequest credential_request(const JobSpec& spec, std::string credential_id,
                                     std::vector<BudgetAmount> remaining);

}  // namespace arcp::runtime
