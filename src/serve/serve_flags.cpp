#include "serve/serve_flags.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "serve/json_config.hpp"
#include "serve/token_sources.hpp"

namespace arcp::serving {
namespace {

/// Sessions can authenticate somehow: anonymous access is never a default.
bool has_authentication(const ServeFlags& o) {
  return !o.tokens.empty() || !o.jwt_jwks.empty() || !o.tls_client_ca.empty() || o.allow_anonymous;
}

void append_or_throw(std::vector<std::string>& tokens, Result<std::vector<std::string>> more,
                     const std::string& where) {
  if (!more) throw CLI::ValidationError(where, more.error().message);
  for (auto& t : more.value()) tokens.push_back(std::move(t));
}

}  // namespace

void finish_serve_flags(ServeFlags& o) {
  for (const auto& t : o.tokens)
    if (!split_token_entry(t)) throw CLI::ValidationError("--token", "must be TOKEN:PRINCIPAL");
  for (const auto& path : o.token_files)
    append_or_throw(o.tokens, read_token_file(path), "--token-file");
  o.token_files.clear();  // read once, even if called again
  if (const char* env = std::getenv("ARCP_TOKENS"); env != nullptr) {
    append_or_throw(o.tokens, parse_token_list(env), "ARCP_TOKENS");
    // Read once, then gone: processes the agents spawn must not inherit
    // every bearer token (done before the runtime starts any thread).
    ::unsetenv("ARCP_TOKENS");
  }
  if (!has_authentication(o))
    throw CLI::ValidationError(
        "authentication",
        "no way to authenticate sessions is configured: give --token-file FILE (or "
        "ARCP_TOKENS, or --token TOKEN:PRINCIPAL, or a JWKS / client CA), or --allow-anonymous "
        "for an open development runtime");
}

void add_serve_flags(CLI::App& cmd, ServeFlags& o) {
  cmd.add_option("--listen", o.listen,
                 "ws:// or wss:// URL to listen on (repeatable; port 0 = any free port)");
  cmd.add_option("--token", o.tokens,
                 "Bearer token mapped to a principal, TOKEN:PRINCIPAL (repeatable). Visible "
                 "in `ps` and shell history: prefer --token-file or ARCP_TOKENS");
  cmd.add_option("--token-file", o.token_files,
                 "File of bearer tokens, one TOKEN:PRINCIPAL per line ('#' comments and blank "
                 "lines ignored; repeatable). The ARCP_TOKENS environment variable adds more, "
                 "separated by commas or newlines");
  cmd.add_option("--data-dir", o.data_dir,
                 "Directory of the durable SQLite store (sessions, event logs, jobs, keys); "
                 "without it everything is in memory");
  cmd.add_option("--resume-window-sec", o.resume_window_sec,
                 "How long a detached session stays resumable")
      ->capture_default_str();
  cmd.add_option("--retention-sec", o.retention_sec,
                 "How long finished jobs and idempotency keys are kept")
      ->capture_default_str();
  cmd.add_option("--max-buffered-events", o.max_buffered_events,
                 "Events kept per session for replay; a client further behind loses its "
                 "transport with INTERNAL_ERROR (default: 1000000 with --data-dir, else 100000)");
  cmd.add_option("--back-pressure-lag", o.back_pressure_lag,
                 "Unacknowledged events before a status {phase: back_pressure} event")
      ->capture_default_str();
  cmd.add_option("--max-queued-bytes", o.max_queued_bytes,
                 "Bytes that may wait to be sent to one connection (events and replies) before "
                 "it stops being read")
      ->capture_default_str();
  cmd.add_option("--hello-timeout-sec", o.hello_timeout_sec,
                 "Seconds a connection may take to complete session.hello")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd.add_option("--io-threads", o.io_threads,
                 "Threads for sessions, timers and coroutine agents, and again for each "
                 "listener's sockets (0 = one per core)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  cmd.add_option("--max-blocking-threads", o.max_blocking_threads,
                 "Threads blocking agents may use at once; the pool grows on demand up to this "
                 "and shrinks when idle, and jobs beyond it wait in pending")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd.add_option("--max-blocking-threads-per-principal", o.max_blocking_threads_per_principal,
                 "Blocking threads one principal may hold, so others still get one")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd.add_option("--max-jobs-per-session", o.max_jobs_per_session,
                 "Unfinished jobs one session may have; more submits are refused")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd.add_option("--max-jobs-per-principal", o.max_jobs_per_principal,
                 "Unfinished jobs one principal may have across its sessions; more submits "
                 "are refused")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd.add_option("--max-sessions-per-principal", o.max_sessions_per_principal,
                 "Sessions one principal may have attached at once; more hellos are refused")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd.add_option("--max-retained-sessions-per-principal", o.max_retained_sessions_per_principal,
                 "Sessions of one principal kept for resume, attached or not; beyond it the "
                 "longest-detached idle one is forgotten")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd.add_flag("--allow-models-without-lease", o.allow_models_without_lease,
               "§9.7: a lease without model.use may use any model (default: none)");
  cmd.add_option("--fs-base-dir", o.fs_base_dir,
                 "Directory that relative fs.* lease patterns and paths resolve against "
                 "(default: the working directory)");
  cmd.add_option("--max-file-bytes", o.max_file_bytes,
                 "Largest file an agent reads or writes through its lease")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd.add_option("--max-fetch-body-bytes", o.max_fetch_body_bytes,
                 "Largest HTTP response body an agent's fetch returns")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd.add_option("--max-result-chunk-bytes", o.max_result_chunk_bytes,
                 "Decoded bytes in one result_chunk (§8.4); more ends the job. At most 4 MiB, "
                 "so a base64 chunk still fits a frame")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4} << 20))
      ->capture_default_str();
  cmd.add_option("--max-result-bytes", o.max_result_bytes,
                 "Decoded bytes of one streamed result (§8.4); more ends the job")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd.add_option("--max-artifact-bytes", o.max_artifact_bytes,
                 "Bytes of one artifact (extension `artifacts`); more is refused")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd.add_option("--max-artifact-bytes-per-principal", o.max_artifact_bytes_per_principal,
                 "Artifact bytes one principal may hold, uploads in progress included")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 50))
      ->capture_default_str();
  cmd.add_option("--max-artifacts-per-principal", o.max_artifacts_per_principal,
                 "Artifacts one principal may hold")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  cmd.add_option("--artifact-retention-sec", o.artifact_retention_sec,
                 "How long an artifact is kept when its put names no retention")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10} * 365 * 24 * 3600))
      ->capture_default_str();
  cmd.add_option("--artifact-retention-max-sec", o.artifact_retention_max_sec,
                 "The longest retention a put may ask for (declared in the welcome)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10} * 365 * 24 * 3600))
      ->capture_default_str();
  cmd.add_option("--lease-expiry-grace-ms", o.lease_expiry_grace_ms,
                 "After expires_at, how long a job that attempts no operation runs on")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  cmd.add_option("--provisioner", o.provisioner,
                 "Provision one credential per job (§9.8): 'demo' (local virtual keys) or "
                 "'litellm=URL' (a LiteLLM gateway's virtual keys; master key from the "
                 "LITELLM_MASTER_KEY environment variable). Needs --data-dir");
  cmd.add_option("--provisioner-endpoint", o.provisioner_endpoint,
                 "Base URL agents present the credential at (default: the provisioner's)");
  cmd.add_option("--provisioner-ca-file", o.provisioner_ca_file,
                 "PEM bundle to verify an https LiteLLM gateway with");
  // ---- jwt ----
  cmd.add_option("--jwt-jwks", o.jwt_jwks,
                 "Verify tokens that are JWTs against this JWKS file (RFC 7517; reloaded when "
                 "it changes); --token values still work");
  cmd.add_option("--jwt-audience", o.jwt_audience, "Audience a JWT's 'aud' must contain");
  cmd.add_option("--jwt-issuer", o.jwt_issuer, "Issuer a JWT's 'iss' must equal");
  cmd.add_option("--jwt-principal-claim", o.jwt_principal_claim, "JWT claim naming the principal")
      ->capture_default_str();
  cmd.add_option("--jwt-lease-claim", o.jwt_lease_claim,
                 "JWT claim holding a lease object: the most that token's submits are granted");
  cmd.add_option("--jwt-leeway-sec", o.jwt_leeway_sec, "Clock skew allowed for exp/nbf/iat")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  cmd.add_option("--tls-cert", o.tls_cert, "PEM certificate chain for wss://");
  cmd.add_option("--tls-key", o.tls_key, "PEM private key for wss://");
  cmd.add_option("--tls-client-ca", o.tls_client_ca,
                 "mTLS: PEM bundle of CAs that sign client certificates; wss:// listeners ask "
                 "for one, and a hello without a token authenticates as the certificate's "
                 "first DNS/URI/email SAN, else its CN (no anonymous sessions then)");
  cmd.add_flag("--require-client-cert", o.require_client_cert,
               "mTLS required: a hello on a connection without a verified client certificate "
               "is refused (UNAUTHENTICATED); needs --tls-client-ca");
  cmd.add_option("--allow-host", o.allow_hosts, "Allowed Host header value (repeatable; * = any)");
  cmd.add_option("--heartbeat-sec", o.heartbeat_sec, "Heartbeat interval in seconds")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd.add_option("--cancel-grace-ms", o.cancel_grace_ms,
                 "Grace before a cancelled agent is abandoned")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  cmd.add_flag("--stdio", o.stdio, "Serve one session on stdin/stdout (NDJSON)");
  // ---- logs, audit ----
  cmd.add_option("--log-level", o.log_level,
                 "Operator log level: debug, info, warn or error (JSON lines)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  cmd.add_option("--log-file", o.log_file,
                 "Append the operator log (JSON lines) to FILE instead of stderr");
  cmd.add_option("--audit-log", o.audit_log,
                 "Append the audit trail (subscribe decisions, cancels, credential issue and "
                 "revocation, auth failures, idle closes: one JSON line {\"ts\",\"event\",...} "
                 "each, secrets redacted) to FILE. Default: stderr, each line prefixed "
                 "'arcp audit: ' (docs/observability.md)");
  cmd.add_flag("--allow-anonymous", o.allow_anonymous,
               "Accept hellos without a token as principal 'anonymous' (with no other way to "
               "authenticate configured, any hello). Off by default: without it and without "
               "a token (or another authenticator) serve refuses to start");
  cmd.add_option("--idle-session-timeout-sec", o.idle_session_timeout_sec,
                 "§14: a connection whose session only heartbeats (no requests, no events, no "
                 "job of its own running) this long is sent session.bye and closed; the "
                 "session stays resumable (0 = never)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{30} * 24 * 3600))
      ->capture_default_str();
  add_json_config_option(cmd, o.config_file);
}

}  // namespace arcp::serving
