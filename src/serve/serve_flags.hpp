// Internal: the flags of `arcp serve` / serve_main(), and the runtime
// options they make.
#pragma once

#include <CLI/CLI.hpp>
#include <arcp/runtime.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace arcp::serving {

struct ServeFlags {
  std::string config_file;
  std::vector<std::string> listen;
  std::vector<std::string> tokens;       // --token TOKEN:PRINCIPAL
  std::vector<std::string> token_files;  // --token-file
  std::vector<std::string> allow_hosts;
  std::string data_dir;
  std::string tls_cert;
  std::string tls_key;
  bool stdio = false;
  bool allow_anonymous = false;
  int heartbeat_sec = 30;
  std::int64_t idle_session_timeout_sec = 3600;
  int cancel_grace_ms = 30000;
  int resume_window_sec = 600;
  int retention_sec = 24 * 3600;
  std::size_t max_buffered_events = 0;  // 0: 1,000,000 on disk, 100,000 in memory
  std::int64_t back_pressure_lag = 10000;
  std::size_t max_queued_bytes = 8U << 20U;
  int hello_timeout_sec = 10;
  std::size_t io_threads = 0;  // 0: one per core
  std::size_t max_blocking_threads = RuntimeOptions{}.max_blocking_threads;
  std::size_t max_blocking_threads_per_principal =
      RuntimeOptions{}.max_blocking_threads_per_principal;
  std::size_t max_jobs_per_session = RuntimeOptions{}.max_concurrent_jobs_per_session;
  std::size_t max_jobs_per_principal = RuntimeOptions{}.max_concurrent_jobs_per_principal;
  std::size_t max_sessions_per_principal = RuntimeOptions{}.max_sessions_per_principal;
  std::size_t max_retained_sessions_per_principal =
      RuntimeOptions{}.max_retained_sessions_per_principal;
  bool allow_models_without_lease = false;
  std::string fs_base_dir;
  std::size_t max_file_bytes = RuntimeOptions{}.max_file_bytes;
  std::size_t max_fetch_body_bytes = RuntimeOptions{}.max_fetch_body_bytes;
  std::size_t max_result_chunk_bytes = RuntimeOptions{}.max_result_chunk_bytes;
  std::size_t max_result_bytes = RuntimeOptions{}.max_result_bytes;
  std::int64_t lease_expiry_grace_ms = RuntimeOptions{}.lease_expiry_grace.count();
  std::size_t max_artifact_bytes = RuntimeOptions{}.max_artifact_bytes;
  std::uint64_t max_artifact_bytes_per_principal =
      RuntimeOptions{}.max_artifact_bytes_per_principal;
  std::size_t max_artifacts_per_principal = RuntimeOptions{}.max_artifacts_per_principal;
  std::int64_t artifact_retention_sec = RuntimeOptions{}.artifact_retention_default.count();
  std::int64_t artifact_retention_max_sec = RuntimeOptions{}.artifact_retention_max.count();
  std::string provisioner;  // demo | litellm=URL
  std::string provisioner_endpoint;
  std::string provisioner_ca_file;
  // ---- jwt ----
  std::string jwt_jwks;
  std::string jwt_audience;
  std::string jwt_issuer;
  std::string jwt_principal_claim = "sub";
  std::string jwt_lease_claim;
  int jwt_leeway_sec = 30;
  // ---- logs, audit ----
  std::string log_level = "info";
  std::string log_file;   // empty: stderr
  std::string audit_log;  // empty: stderr
  // ---- mTLS ----
  std::string tls_client_ca;
  bool require_client_cert = false;
};

/// Registers every flag on `cmd` (with its default shown in --help).
void add_serve_flags(CLI::App& cmd, ServeFlags& flags);

/// Reads --token-file files and ARCP_TOKENS into `flags.tokens`, then checks
/// what CLI11 cannot: some way to authenticate, flag combinations. Throws
/// CLI::ValidationError (its message never holds a token).
void finish_serve_flags(ServeFlags& flags);

/// The runtime options the flags ask for; an error names the flag at fault.
/// Warnings (no --data-dir, --allow-anonymous …) go to stderr after `program: `.
Result<RuntimeOptions> runtime_options_from(const ServeFlags& flags, const std::string& program);

bool is_wss(const std::string& url);

}  // namespace arcp::serving
