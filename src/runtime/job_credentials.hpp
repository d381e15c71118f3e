// Internal: what a job's authority looks like to a credential provisioner
// (§9.8.3), for the credential issued at acceptance, its rotations, and
// (for delegation, §10) a child job's own credential.
#pragma once

#include <arcp/budget.hpp>
#include <arcp/credentials.hpp>

#include "runtime/job.hpp"

namespace arcp::runtime {

/// Remaining amount per budgeted currency.
std::vector<BudgetAmount> budget_amounts(const BudgetCounters& counters);

/// The request for a job of `spec` holding `remaining`; `credential_id`
/// names the credential (a fresh `cred_…` at acceptance) and is its first
/// issuance id too.
CredentialRequest credential_request(const JobSpec& spec, std::string credential_id,
                                     std::vector<BudgetAmount> remaining);

}  // namespace arcp::runtime
