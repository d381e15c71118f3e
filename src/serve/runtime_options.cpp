#include <fmt/core.h>

#include <algorithm>
#include <arcp/credentials.hpp>
#include <arcp/jwt_authenticator.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "serve/serve_flags.hpp"
#include "serve/token_sources.hpp"

namespace arcp::serving {
namespace {

Error usage(std::string message) {
  return Error(ErrorCode::kInvalidRequest, std::move(message));
}

void warn(const std::string& program, std::string_view message) {
  fmt::print(stderr, "{}: {}\n", program, message);
}

// Appends one line per call to `path`, flushed at once (a crash loses no
// line); nullptr when the file cannot be opened.
std::function<void(std::string_view)> file_sink(const std::string& path) {
  std::FILE* raw = std::fopen(path.c_str(), "ae");  // e: close-on-exec, no child inherits it
  if (raw == nullptr) return nullptr;
  auto file = std::shared_ptr<std::FILE>(raw, [](std::FILE* f) { std::fclose(f); });
  auto mu = std::make_shared<std::mutex>();
  return [file, mu](std::string_view line) {
    std::lock_guard lock(*mu);
    std::fwrite(line.data(), 1, line.size(), file.get());
    std::fputc('\n', file.get());
    std::fflush(file.get());
  };
}

// --provisioner demo | litellm=URL. The LiteLLM master key is read from the
// environment only: a flag would show in `ps` and shell history.
Result<std::shared_ptr<CredentialProvisioner>> make_provisioner(const ServeFlags& o) {
  if (o.provisioner == "demo") {
    DemoProvisionerOptions d;
    if (!o.provisioner_endpoint.empty()) d.endpoint = o.provisioner_endpoint;
    return std::shared_ptr<CredentialProvisioner>(make_demo_provisioner(d));
  }
  constexpr std::string_view kLiteLlm = "litellm=";
  if (o.provisioner.rfind(kLiteLlm, 0) == 0 && o.provisioner.size() > kLiteLlm.size()) {
    const char* key = std::getenv("LITELLM_MASTER_KEY");
    if (key == nullptr || *key == '\0')
      return Error(ErrorCode::kInvalidRequest,
                   "--provisioner litellm needs the gateway's master key in the "
                   "LITELLM_MASTER_KEY environment variable");
    LiteLlmOptions l;
    l.base_url = o.provisioner.substr(kLiteLlm.size());
    l.master_key = key;
    l.endpoint = o.provisioner_endpoint;
    l.ca_file = o.provisioner_ca_file;
    return make_litellm_provisioner(std::move(l));
  }
  return Error(ErrorCode::kInvalidRequest,
               "--provisioner must be 'demo' or 'litellm=URL', not '" + o.provisioner + "'");
}

}  // namespace

bool is_wss(const std::string& url) {
  return url.rfind("wss://", 0) == 0;
}

Result<RuntimeOptions> runtime_options_from(const ServeFlags& o, const std::string& program) {
  RuntimeOptions ro;
  // ---- logs, audit ----
  ro.log_level = parse_log_level(o.log_level).value_or(LogLevel::kInfo);
  if (!o.log_file.empty()) {
    ro.log_sink = file_sink(o.log_file);
    if (!ro.log_sink) {
      return usage(fmt::format("cannot open --log-file {}", o.log_file));
    }
  }
  if (!o.audit_log.empty()) {
    auto sink = file_sink(o.audit_log);
    if (!sink) {
      return usage(fmt::format("cannot open --audit-log {}", o.audit_log));
    }
    ro.audit_log = [sink](const std::string& line) { sink(line); };
  }
  ro.heartbeat_interval = std::chrono::seconds(o.heartbeat_sec);
  ro.cancel_grace = std::chrono::milliseconds(o.cancel_grace_ms);
  for (const auto& t : o.tokens) {
    auto pair = split_token_entry(t);  // finish_serve_flags() checked the shape
    if (!pair) return usage("--token must be TOKEN:PRINCIPAL");
    ro.tokens.push_back(std::move(*pair));
  }
  // ---- jwt ----
  if (!o.jwt_jwks.empty()) {
    JwtOptions jo;
    jo.jwks_file = o.jwt_jwks;
    jo.audience = o.jwt_audience;
    jo.issuer = o.jwt_issuer;
    jo.principal_claim = o.jwt_principal_claim;
    jo.lease_claim = o.jwt_lease_claim;
    jo.leeway = std::chrono::seconds(o.jwt_leeway_sec);
    auto jwt = make_jwt_authenticator(std::move(jo));
    if (!jwt) {
      return usage(fmt::format("--jwt-jwks: {}", jwt.error().message));
    }
    ro.jwt_authenticator = std::move(jwt.value());
  } else if (!o.jwt_audience.empty() || !o.jwt_issuer.empty() || !o.jwt_lease_claim.empty()) {
    return usage("--jwt-audience, --jwt-issuer and --jwt-lease-claim need --jwt-jwks");
  }
  // ---- mTLS ----
  if (o.require_client_cert && o.tls_client_ca.empty()) {
    return usage("--require-client-cert needs --tls-client-ca");
  }
  if (!o.tls_client_ca.empty()) {
    if (o.stdio || std::none_of(o.listen.begin(), o.listen.end(), is_wss)) {
      return usage("--tls-client-ca needs a wss:// --listen");
    }
    ro.trust_client_certificates = true;
    ro.require_client_certificate = o.require_client_cert;
  }
  ro.allow_anonymous = o.allow_anonymous;
  if (ro.allow_anonymous)
    warn(program,
         "--allow-anonymous: hellos without a token are accepted as "
         "principal 'anonymous'");
  ro.idle_session_timeout = std::chrono::seconds(o.idle_session_timeout_sec);
  ro.resume_window = std::chrono::seconds(o.resume_window_sec);
  ro.idempotency_window = std::chrono::seconds(o.retention_sec);
  ro.max_buffered_events = o.max_buffered_events != 0 ? o.max_buffered_events
                           : o.data_dir.empty()       ? 100000
                                                      : 1000000;
  ro.back_pressure_lag = o.back_pressure_lag;
  ro.max_queued_bytes_per_connection = o.max_queued_bytes;
  ro.hello_timeout = std::chrono::seconds(o.hello_timeout_sec);
  ro.io_threads = o.io_threads;
  ro.max_blocking_threads = o.max_blocking_threads;
  ro.max_blocking_threads_per_principal = o.max_blocking_threads_per_principal;
  ro.max_concurrent_jobs_per_session = o.max_jobs_per_session;
  ro.max_concurrent_jobs_per_principal = o.max_jobs_per_principal;
  ro.max_sessions_per_principal = o.max_sessions_per_principal;
  ro.max_retained_sessions_per_principal = o.max_retained_sessions_per_principal;
  ro.allow_models_without_lease = o.allow_models_without_lease;
  ro.fs_base_dir = o.fs_base_dir;
  ro.max_file_bytes = o.max_file_bytes;
  ro.max_fetch_body_bytes = o.max_fetch_body_bytes;
  ro.max_result_chunk_bytes = o.max_result_chunk_bytes;
  ro.max_result_bytes = o.max_result_bytes;
  ro.lease_expiry_grace = std::chrono::milliseconds(o.lease_expiry_grace_ms);
  ro.max_artifact_bytes = o.max_artifact_bytes;
  ro.max_artifact_bytes_per_principal = o.max_artifact_bytes_per_principal;
  ro.max_artifacts_per_principal = o.max_artifacts_per_principal;
  ro.artifact_retention_default = std::chrono::seconds(o.artifact_retention_sec);
  ro.artifact_retention_max = std::chrono::seconds(o.artifact_retention_max_sec);
  ro.data_dir = o.data_dir;
  if (o.data_dir.empty()) warn(program, "no --data-dir; sessions and jobs are kept in memory only");
  if (!o.provisioner.empty()) {
    auto p = make_provisioner(o);
    if (!p) {
      return p.error();
    }
    if (o.data_dir.empty())
      warn(program,
           "--provisioner needs --data-dir (a durable credential ledger); "
           "provisioned_credentials is not offered");
    ro.credential_provisioner = std::move(p.value());
  }
  return ro;
}

}  // namespace arcp::serving
