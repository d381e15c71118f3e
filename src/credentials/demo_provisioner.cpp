// The demo provisioner: local virtual keys, live until revoked.
#include <arcp/credentials.hpp>

#include "auth/secure_random.hpp"
#include "core/base64.hpp"
#include "credentials/credential_constraints.hpp"

namespace arcp {

DemoProvisioner::DemoProvisioner(DemoProvisionerOptions options) : options_(std::move(options)) {}

Result<IssuedCredential> DemoProvisioner::issue(const CredentialRequest& request) {
  IssuedCredential out;
  out.credential.id = request.credential_id;
  out.credential.value = "sk-demo-" + core::base64url_encode(auth::random_bytes(32));
  out.credential.endpoint = options_.endpoint;
  out.credential.profile = options_.profile;
  // A stand-in for an upstream that enforces everything it is given.
  credentials::Enforced all;
  for (const auto& a : request.budget_remaining) all.currencies.push_back(a.currency);
  all.models = true;
  all.expiry = true;
  out.credential.constraints = credentials::constraints_for(request, all);
  out.revoke_handle = request.issuance_id;
  std::lock_guard lock(mu_);
  if (!live_.emplace(out.revoke_handle, out.credential.value).second)
    return Error(ErrorCode::kInternalError,
                 "demo provisioner: issuance '" + request.issuance_id + "' already exists");
  return out;
}

Result<void> DemoProvisioner::revoke(const std::string& revoke_handle) {
  std::lock_guard lock(mu_);
  live_.erase(revoke_handle);  // already gone: revoked before, which is success
  return {};
}

std::size_t DemoProvisioner::live_count() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

bool DemoProvisioner::is_live(std::string_view value) const {
  std::lock_guard lock(mu_);
  for (const auto& [handle, v] : live_)
    if (v == value) return true;
  return false;
}

std::shared_ptr<DemoProvisioner> make_demo_provisioner(DemoProvisionerOptions options) {
  return std::make_shared<DemoProvisioner>(std::move(options));
}

}  // namespace arcp
