// §9.8 provisioned credentials: the wire shape, and the provisioners that
// mint and revoke them at an upstream (an LLM gateway, a paid API).
#pragma once

#include <arcp/error.hpp>
#include <arcp/json.hpp>
#include <arcp/lease.hpp>
#include <arcp/time.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arcp {

/// What every view but the submitter's shows instead of a credential's value.
inline constexpr std::string_view kRedactedValue = "[redacted]";

/// One credential object of `job.accepted.payload.credentials` (§9.8.1).
struct Credential {
  std::string id;  // `cred_…`, stable for the job across rotations
  std::string scheme = "bearer";
  std::string value;  // the secret
  std::string endpoint;
  std::string profile;       // omitted from the wire when empty
  json::object constraints;  // what the upstream enforces; omitted when empty

  json::object to_json() const;
  /// INVALID_REQUEST when id, scheme, value or endpoint is missing.
  static Result<Credential> from_json(const json::object& object);
  /// This credential with `value` replaced by kRedactedValue.
  Credential redacted() const;
  bool is_redacted() const { return value == kRedactedValue; }
};

/// What a provisioner is asked to mint: the job's authority at this moment.
struct CredentialRequest {
  std::string credential_id;
  /// Names this one issuance: the credential id, and `<id>#<n>` for its n-th
  /// rotation. Unique and not secret (a gateway's key alias); a provisioner
  /// must accept it as the revoke handle too, so that an issuance whose
  /// result a crashed runtime never recorded can still be revoked.
  std::string issuance_id;
  std::string job_id;
  std::string principal;
  std::string agent;   // name@version
  json::object lease;  // the effective lease
  std::optional<SystemTime> expires_at;
  /// Remaining per budgeted currency (§9.6): at acceptance, the lease's
  /// amounts; at a rotation, what is left.
  std::vector<BudgetAmount> budget_remaining;
  std::vector<std::string> models;  // the lease's model.use patterns
  std::string trace_id;
  /// The job span's W3C traceparent (§11), "" when no tracer is installed.
  std::string traceparent;
};

struct IssuedCredential {
  Credential credential;
  /// Not secret: what the durable ledger stores and revoke() takes.
  std::string revoke_handle;
};

/// A backend that mints scoped credentials. Calls block (they may do network
/// I/O); the runtime makes them off its I/O threads, from several threads at
/// once.
class CredentialProvisioner {
 public:
  virtual ~CredentialProvisioner() = default;
  /// Short, for the ledger and logs ("demo", "litellm").
  virtual std::string name() const = 0;
  /// Errors never carry a credential value or a master key.
  virtual Result<IssuedCredential> issue(const CredentialRequest& request) = 0;
  /// Idempotent: a credential already gone is a success. `retryable` set on
  /// a transient failure (the runtime retries), clear on a permanent one.
  virtual Result<void> revoke(const std::string& revoke_handle) = 0;
};

struct DemoProvisionerOptions {
  std::string endpoint = "https://demo.invalid/v1";
  std::string profile = "openai";
};

/// Mints local virtual keys `sk-demo-<base64url of 32 CSPRNG bytes>` and
/// tracks which are live: a stand-in upstream for demos and tests.
class DemoProvisioner final : public CredentialProvisioner {
 public:
  explicit DemoProvisioner(DemoProvisionerOptions options = {});
  std::string name() const override { return "demo"; }
  Result<IssuedCredential> issue(const CredentialRequest& request) override;
  Result<void> revoke(const std::string& revoke_handle) override;

  std::size_t live_count() const;
  bool is_live(std::string_view value) const;

 private:
  DemoProvisionerOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> live_;  // handle → value
};

std::shared_ptr<DemoProvisioner> make_demo_provisioner(DemoProvisionerOptions options = {});

struct LiteLlmOptions {
  std::string base_url;    // the gateway's admin API, e.g. http://litellm:4000
  std::string master_key;  // never logged, never in an error
  /// Where agents present their keys; empty: `base_url`.
  std::string endpoint;
  std::string profile = "openai";
  std::chrono::milliseconds timeout{10000};  // per request
  std::string ca_file;                       // PEM bundle for https, instead of the system store
};

/// A LiteLLM-compatible gateway's virtual keys: `POST /key/generate`
/// (key_alias = the issuance id, max_budget from the USD budget, models from
/// model.use, duration from expires_at) and `POST /key/delete` by alias. The
/// revoke handle is the alias, never the key.
std::shared_ptr<CredentialProvisioner> make_litellm_provisioner(LiteLlmOptions options);

}  // namespace arcp
