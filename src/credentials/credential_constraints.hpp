// Internal: the `constraints` echo of a credential (§9.8.1, §9.8.3) — only
// what the upstream enforces, in the lease's own notation.
#pragma once

#include <arcp/credentials.hpp>

namespace arcp::credentials {

struct Enforced {
  /// Currencies whose budget the upstream caps; empty: none.
  std::vector<std::string> currencies;
  bool models = false;
  bool expiry = false;
};

json::object constraints_for(const CredentialRequest& request, const Enforced& enforced);

}  // namespace arcp::credentials
