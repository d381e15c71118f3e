// Virtual keys of a LiteLLM-compatible gateway (its /key/generate and
// /key/delete admin API). The master key goes in one header and nowhere else:
// errors name the endpoint and the HTTP status, never a key or a body.
#include <algorithm>
#include <arcp/credentials.hpp>
#include <cctype>
#include <cmath>

#include "credentials/credential_constraints.hpp"
#include "transport/http_client.hpp"

namespace arcp {
namespace {

Error permanent(std::string message) {
  Error e(ErrorCode::kInternalError, std::move(message));
  e.retryable = false;
  return e;
}

Error transient(std::string message) {
  Error e(ErrorCode::kInternalError, std::move(message));
  e.retryable = true;
  return e;
}

// The key itself is gone — not a user, team or master key LiteLLM could
// not find, which would leave the key live.
bool says_key_not_found(std::string body) {
  std::transform(body.begin(), body.end(), body.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return body.find("key not found") != std::string::npos ||
         body.find("key does not exist") != std::string::npos ||
         body.find("keys not found") != std::string::npos;
}

class LiteLlmProvisioner final : public CredentialProvisioner {
 public:
  explicit LiteLlmProvisioner(LiteLlmOptions o) : o_(std::move(o)) {
    while (!o_.base_url.empty() && o_.base_url.back() == '/') o_.base_url.pop_back();
    if (o_.endpoint.empty()) o_.endpoint = o_.base_url;
  }

  std::string name() const override { return "litellm"; }

  Result<IssuedCredential> issue(const CredentialRequest& request) override {
    json::object body{{"key_alias", request.issuance_id}};
    credentials::Enforced enforced;
    // LiteLLM caps spend in USD only; other currencies stay the runtime's job.
    for (const auto& a : request.budget_remaining) {
      if (a.currency != "USD") continue;
      body["max_budget"] = std::max(0.0, a.as_double());
      enforced.currencies.push_back("USD");
    }
    if (!request.models.empty()) {
      json::array models;
      for (const auto& m : request.models) models.emplace_back(m);
      body["models"] = std::move(models);
      enforced.models = true;
    }
    if (request.expires_at) {
      auto left = std::chrono::ceil<std::chrono::seconds>(*request.expires_at -
                                                          std::chrono::system_clock::now());
      body["duration"] = std::to_string(std::max<std::int64_t>(1, left.count())) + "s";
      enforced.expiry = true;
    }
    body["metadata"] =
        json::object{{"arcp_job_id", request.job_id}, {"arcp_principal", request.principal}};

    auto r = post("/key/generate", json::serialize(body));
    if (!r) return r.error();
    if (r->status != 200 && r->status != 201) return status_error("/key/generate", r->status);
    auto parsed = parse_json(r->body);
    const json::string* key = nullptr;
    if (parsed && parsed->is_object()) key = get_string(parsed->get_object(), "key");
    if (!key || key->empty())
      return permanent("LiteLLM " + o_.base_url + "/key/generate answered without a key");
    IssuedCredential out;
    out.credential.id = request.credential_id;
    out.credential.value = std::string(*key);
    out.credential.endpoint = o_.endpoint;
    out.credential.profile = o_.profile;
    out.credential.constraints = credentials::constraints_for(request, enforced);
    out.revoke_handle = request.issuance_id;  // the alias, never the key
    return out;
  }

  Result<void> revoke(const std::string& revoke_handle) override {
    json::object body{{"key_aliases", json::array{json::value(revoke_handle)}}};
    auto r = post("/key/delete", json::serialize(body));
    if (!r) return r.error();
    if (r->status >= 200 && r->status < 300) return {};
    // Already deleted (or never created): what revocation wants. An
    // authentication failure (401/403) never counts: the key may be live.
    if (r->status == 404 || (r->status == 400 && says_key_not_found(r->body))) return {};
    return status_error("/key/delete", r->status);
  }

 private:
  Result<FetchResponse> post(const std::string& path, std::string body) {
    FetchRequest req;
    req.url = o_.base_url + path;
    req.method = "POST";
    req.headers = {{"Authorization", "Bearer " + o_.master_key},
                   {"Content-Type", "application/json"}};
    req.body = std::move(body);
    req.timeout = o_.timeout;
    req.max_body_bytes = 1U << 20U;
    req.ca_file = o_.ca_file;
    auto r = transport::http_fetch(req);
    if (r) return r;
    // Connect, TLS and timeouts pass; a bad URL or CA file does not.
    std::string what = "LiteLLM " + o_.base_url + path + ": " + r.error().message;
    if (r.error().code == ErrorCode::kInvalidRequest) return permanent(std::move(what));
    return transient(std::move(what));
  }

  Error status_error(const std::string& path, int status) const {
    std::string what = "LiteLLM " + o_.base_url + path + " answered HTTP " + std::to_string(status);
    if (status >= 500 || status == 408 || status == 429) return transient(std::move(what));
    return permanent(std::move(what));
  }

  LiteLlmOptions o_;
};

}  // namespace

std::shared_ptr<CredentialProvisioner> make_litellm_provisioner(LiteLlmOptions options) {
  return std::make_shared<LiteLlmProvisioner>(std::move(options));
}

}  // namespace arcp
