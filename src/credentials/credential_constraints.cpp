#include "credentials/credential_constraints.hpp"

#include <algorithm>

namespace arcp::credentials {

json::object constraints_for(const CredentialRequest& request, const Enforced& enforced) {
  json::object out;
  json::array budget;
  for (const auto& a : request.budget_remaining)
    if (std::find(enforced.currencies.begin(), enforced.currencies.end(), a.currency) !=
        enforced.currencies.end())
      budget.emplace_back(format_budget_amount(a.currency, a.nano_units));
  if (!budget.empty()) out["cost.budget"] = std::move(budget);
  if (enforced.models && !request.models.empty()) {
    json::array models;
    for (const auto& m : request.models) models.emplace_back(m);
    out["model.use"] = std::move(models);
  }
  if (enforced.expiry && request.expires_at)
    out["expires_at"] = format_rfc3339(*request.expires_at);
  return out;
}

}  // namespace arcp::credentials
