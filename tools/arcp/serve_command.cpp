#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <arcp/conformance_agents.hpp>
#include <arcp/credentials.hpp>
#include <arcp/jwt_authenticator.hpp>
#include <arcp/runtime.hpp>
#include <arcp/transports.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include "commands.hpp"
#include "json_config.hpp"

namespace arcp::cli {
namespace {

struct ServeOptions {
  std::string config_file;
  std::vector<std::string> listen;
  std::vector<std::string> tokens;
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

bool is_wss(const std::string& url) {
  return url.rfind("wss://", 0) == 0;
}

// Appends one line per call to `path`, flushed at once (a crash loses no
// line); nullptr when the file cannot be opened.
std::function<void(std::string_view)> file_sink(const std::string& path) {
  std::FILE* raw = std::fopen(path.c_str(), "a");
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
Result<std::shared_ptr<CredentialProvisioner>> make_provisioner(const ServeOptions& o) {
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

// What ends `arcp serve`: SIGINT/SIGTERM (sigwait()ed on one thread, blocked
// in every other so no handler races the runtime's threads), or, with
// --stdio, the end of the one session's input.
class StopWaiter {
 public:
  StopWaiter() : state_(std::make_shared<State>()) {
    std::thread([st = state_] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      int sig = 0;
      sigwait(&set, &sig);
      std::lock_guard lock(st->mu);
      st->signal = sig;
      st->cv.notify_all();
    }).detach();  // lives until a signal comes; the process may exit first
  }
  /// What the stdio transport calls when its input ends. It owns the state:
  /// the transport's reader thread may call it after serve() has returned
  /// and this StopWaiter is gone.
  std::function<void()> input_closed_callback() const {
    return [st = state_] {
      std::lock_guard lock(st->mu);
      st->closed = true;
      st->cv.notify_all();
    };
  }
  /// Blocks until a signal or the input's end; returns the signal (0: input ended).
  int wait() {
    std::unique_lock lock(state_->mu);
    state_->cv.wait(lock, [&] { return state_->signal != 0 || state_->closed; });
    return state_->signal;
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    int signal = 0;
    bool closed = false;
  };
  std::shared_ptr<State> state_;
};

/// Sessions can authenticate somehow: anonymous access is never a default.
bool has_authentication(const ServeOptions& o) {
  return !o.tokens.empty() || !o.jwt_jwks.empty() || !o.tls_client_ca.empty() || o.allow_anonymous;
}

void report_signal(int sig) {
  if (sig != 0) fmt::print(stderr, "arcp serve: signal {} — shutting down gracefully\n", sig);
}

int serve(const ServeOptions& o) {
  // Block the shutdown signals in every thread; the main thread sigwait()s for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  StopWaiter stop;  // outlives the runtime, whose stdio transport may report to it

  RuntimeOptions ro;
  // ---- logs, audit ----
  ro.log_level = parse_log_level(o.log_level).value_or(LogLevel::kInfo);
  if (!o.log_file.empty()) {
    ro.log_sink = file_sink(o.log_file);
    if (!ro.log_sink) {
      fmt::print(stderr, "arcp serve: cannot open --log-file {}\n", o.log_file);
      return kExitUsage;
    }
  }
  if (!o.audit_log.empty()) {
    auto sink = file_sink(o.audit_log);
    if (!sink) {
      fmt::print(stderr, "arcp serve: cannot open --audit-log {}\n", o.audit_log);
      return kExitUsage;
    }
    ro.audit_log = [sink](const std::string& line) { sink(line); };
  }
  ro.heartbeat_interval = std::chrono::seconds(o.heartbeat_sec);
  ro.cancel_grace = std::chrono::milliseconds(o.cancel_grace_ms);
  for (const auto& t : o.tokens) {
    auto colon = t.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == t.size()) {
      fmt::print(stderr, "arcp serve: --token must be TOKEN:PRINCIPAL\n");
      return kExitUsage;
    }
    ro.tokens.emplace_back(t.substr(0, colon), t.substr(colon + 1));
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
      fmt::print(stderr, "arcp serve: --jwt-jwks: {}\n", jwt.error().message);
      return kExitUsage;
    }
    ro.jwt_authenticator = std::move(jwt.value());
  } else if (!o.jwt_audience.empty() || !o.jwt_issuer.empty() || !o.jwt_lease_claim.empty()) {
    fmt::print(stderr,
               "arcp serve: --jwt-audience, --jwt-issuer and --jwt-lease-claim need "
               "--jwt-jwks\n");
    return kExitUsage;
  }
  // ---- mTLS ----
  if (o.require_client_cert && o.tls_client_ca.empty()) {
    fmt::print(stderr, "arcp serve: --require-client-cert needs --tls-client-ca\n");
    return kExitUsage;
  }
  if (!o.tls_client_ca.empty()) {
    if (o.stdio || std::none_of(o.listen.begin(), o.listen.end(), is_wss)) {
      fmt::print(stderr, "arcp serve: --tls-client-ca needs a wss:// --listen\n");
      return kExitUsage;
    }
    ro.trust_client_certificates = true;
    ro.require_client_certificate = o.require_client_cert;
  }
  ro.allow_anonymous = o.allow_anonymous;
  if (ro.allow_anonymous)
    fmt::print(stderr,
               "arcp serve: --allow-anonymous: hellos without a token are accepted as "
               "principal 'anonymous'\n");
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
  if (o.data_dir.empty())
    fmt::print(stderr, "arcp serve: no --data-dir; sessions and jobs are kept in memory only\n");
  if (!o.provisioner.empty()) {
    auto p = make_provisioner(o);
    if (!p) {
      fmt::print(stderr, "arcp serve: {}\n", p.error().message);
      return kExitUsage;
    }
    if (o.data_dir.empty())
      fmt::print(stderr,
                 "arcp serve: --provisioner needs --data-dir (a durable credential ledger); "
                 "provisioned_credentials is not offered\n");
    ro.credential_provisioner = std::move(p.value());
  }
  std::unique_ptr<Runtime> runtime;
  try {
    runtime = std::make_unique<Runtime>(ro);
  } catch (const std::exception& e) {
    fmt::print(stderr, "arcp serve: cannot open the store: {}\n", e.what());
    return kExitUsage;
  }
  Runtime& rt = *runtime;
  if (auto r = register_conformance_agents(rt); !r) {
    fmt::print(stderr, "arcp serve: {}\n", r.error().describe());
    return kExitUsage;
  }

  if (o.stdio) {
    auto conn = make_stdio_connection(STDIN_FILENO, STDOUT_FILENO, ro.max_frame_bytes);
    struct Watch : Connection {
      std::shared_ptr<Connection> inner;
      std::function<void()> on_close;
      void start(ConnectionHandlers h) override {
        auto user = std::move(h.on_closed);
        h.on_closed = [user, cb = on_close] {
          if (user) user();
          cb();
        };
        inner->start(std::move(h));
      }
      void send(Frame f) override { inner->send(std::move(f)); }
      void close() override { inner->close(); }
      std::size_t queued_bytes() const override { return inner->queued_bytes(); }
      void set_send_budget(std::size_t bytes) override { inner->set_send_budget(bytes); }
      std::string description() const override { return inner->description(); }
    };
    auto watch = std::make_shared<Watch>();
    watch->inner = conn;
    watch->on_close = stop.input_closed_callback();
    rt.serve(watch);
    report_signal(stop.wait());
    rt.shutdown();
    return 0;
  }

  std::vector<std::string> urls = o.listen;
  if (urls.empty()) urls.push_back("ws://127.0.0.1:7777/arcp");
  for (const auto& url : urls) {
    WebSocketServerOptions wo;
    wo.listen_url = url;
    wo.tls_cert_file = o.tls_cert;
    wo.tls_key_file = o.tls_key;
    if (is_wss(url)) wo.tls_client_ca_file = o.tls_client_ca;
    wo.allowed_hosts = o.allow_hosts;
    wo.io_threads = static_cast<int>(o.io_threads);
    auto bound = rt.listen(wo);
    if (!bound) {
      fmt::print(stderr, "arcp serve: {}\n", bound.error().describe());
      return kExitUsage;
    }
    fmt::print("listening on {}\n", bound.value());
  }
  std::fflush(stdout);
  report_signal(stop.wait());
  rt.shutdown();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, std::function<int()>& run) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run an ARCP runtime hosting the conformance agent pack");
  cmd->add_option("--listen", o->listen,
                  "ws:// or wss:// URL to listen on (repeatable; port 0 = any free port)");
  cmd->add_option("--token", o->tokens,
                  "Bearer token mapped to a principal, TOKEN:PRINCIPAL (repeatable)");
  cmd->add_option("--data-dir", o->data_dir,
                  "Directory of the durable SQLite store (sessions, event logs, jobs, keys); "
                  "without it everything is in memory");
  cmd->add_option("--resume-window-sec", o->resume_window_sec,
                  "How long a detached session stays resumable")
      ->capture_default_str();
  cmd->add_option("--retention-sec", o->retention_sec,
                  "How long finished jobs and idempotency keys are kept")
      ->capture_default_str();
  cmd->add_option("--max-buffered-events", o->max_buffered_events,
                  "Events kept per session for replay; a client further behind loses its "
                  "transport with INTERNAL_ERROR (default: 1000000 with --data-dir, else 100000)");
  cmd->add_option("--back-pressure-lag", o->back_pressure_lag,
                  "Unacknowledged events before a status {phase: back_pressure} event")
      ->capture_default_str();
  cmd->add_option("--max-queued-bytes", o->max_queued_bytes,
                  "Bytes that may wait to be sent to one connection (events and replies) before "
                  "it stops being read")
      ->capture_default_str();
  cmd->add_option("--hello-timeout-sec", o->hello_timeout_sec,
                  "Seconds a connection may take to complete session.hello")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--io-threads", o->io_threads,
                  "Threads for sessions, timers and coroutine agents, and again for each "
                  "listener's sockets (0 = one per core)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  cmd->add_option("--max-blocking-threads", o->max_blocking_threads,
                  "Threads blocking agents may use at once; the pool grows on demand up to this "
                  "and shrinks when idle, and jobs beyond it wait in pending")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--max-blocking-threads-per-principal", o->max_blocking_threads_per_principal,
                  "Blocking threads one principal may hold, so others still get one")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--max-jobs-per-session", o->max_jobs_per_session,
                  "Unfinished jobs one session may have; more submits are refused")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd->add_option("--max-jobs-per-principal", o->max_jobs_per_principal,
                  "Unfinished jobs one principal may have across its sessions; more submits "
                  "are refused")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd->add_option("--max-sessions-per-principal", o->max_sessions_per_principal,
                  "Sessions one principal may have attached at once; more hellos are refused")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--max-retained-sessions-per-principal", o->max_retained_sessions_per_principal,
                  "Sessions of one principal kept for resume, attached or not; beyond it the "
                  "longest-detached idle one is forgotten")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  cmd->add_flag("--allow-models-without-lease", o->allow_models_without_lease,
                "§9.7: a lease without model.use may use any model (default: none)");
  cmd->add_option("--fs-base-dir", o->fs_base_dir,
                  "Directory that relative fs.* lease patterns and paths resolve against "
                  "(default: the working directory)");
  cmd->add_option("--max-file-bytes", o->max_file_bytes,
                  "Largest file an agent reads or writes through its lease")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--max-fetch-body-bytes", o->max_fetch_body_bytes,
                  "Largest HTTP response body an agent's fetch returns")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--max-result-chunk-bytes", o->max_result_chunk_bytes,
                  "Decoded bytes in one result_chunk (§8.4); more ends the job. At most 4 MiB, "
                  "so a base64 chunk still fits a frame")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4} << 20))
      ->capture_default_str();
  cmd->add_option("--max-result-bytes", o->max_result_bytes,
                  "Decoded bytes of one streamed result (§8.4); more ends the job")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--max-artifact-bytes", o->max_artifact_bytes,
                  "Bytes of one artifact (extension `artifacts`); more is refused")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--max-artifact-bytes-per-principal", o->max_artifact_bytes_per_principal,
                  "Artifact bytes one principal may hold, uploads in progress included")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 50))
      ->capture_default_str();
  cmd->add_option("--max-artifacts-per-principal", o->max_artifacts_per_principal,
                  "Artifacts one principal may hold")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  cmd->add_option("--artifact-retention-sec", o->artifact_retention_sec,
                  "How long an artifact is kept when its put names no retention")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10} * 365 * 24 * 3600))
      ->capture_default_str();
  cmd->add_option("--artifact-retention-max-sec", o->artifact_retention_max_sec,
                  "The longest retention a put may ask for (declared in the welcome)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10} * 365 * 24 * 3600))
      ->capture_default_str();
  cmd->add_option("--lease-expiry-grace-ms", o->lease_expiry_grace_ms,
                  "After expires_at, how long a job that attempts no operation runs on")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  cmd->add_option("--provisioner", o->provisioner,
                  "Provision one credential per job (§9.8): 'demo' (local virtual keys) or "
                  "'litellm=URL' (a LiteLLM gateway's virtual keys; master key from the "
                  "LITELLM_MASTER_KEY environment variable). Needs --data-dir");
  cmd->add_option("--provisioner-endpoint", o->provisioner_endpoint,
                  "Base URL agents present the credential at (default: the provisioner's)");
  cmd->add_option("--provisioner-ca-file", o->provisioner_ca_file,
                  "PEM bundle to verify an https LiteLLM gateway with");
  // ---- jwt ----
  cmd->add_option("--jwt-jwks", o->jwt_jwks,
                  "Verify tokens that are JWTs against this JWKS file (RFC 7517; reloaded when "
                  "it changes); --token values still work");
  cmd->add_option("--jwt-audience", o->jwt_audience, "Audience a JWT's 'aud' must contain");
  cmd->add_option("--jwt-issuer", o->jwt_issuer, "Issuer a JWT's 'iss' must equal");
  cmd->add_option("--jwt-principal-claim", o->jwt_principal_claim, "JWT claim naming the principal")
      ->capture_default_str();
  cmd->add_option("--jwt-lease-claim", o->jwt_lease_claim,
                  "JWT claim holding a lease object: the most that token's submits are granted");
  cmd->add_option("--jwt-leeway-sec", o->jwt_leeway_sec, "Clock skew allowed for exp/nbf/iat")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  cmd->add_option("--tls-cert", o->tls_cert, "PEM certificate chain for wss://");
  cmd->add_option("--tls-key", o->tls_key, "PEM private key for wss://");
  cmd->add_option("--tls-client-ca", o->tls_client_ca,
                  "mTLS: PEM bundle of CAs that sign client certificates; wss:// listeners ask "
                  "for one, and a hello without a token authenticates as the certificate's "
                  "first DNS/URI/email SAN, else its CN (no anonymous sessions then)");
  cmd->add_flag("--require-client-cert", o->require_client_cert,
                "mTLS required: a hello on a connection without a verified client certificate "
                "is refused (UNAUTHENTICATED); needs --tls-client-ca");
  cmd->add_option("--allow-host", o->allow_hosts,
                  "Allowed Host header value (repeatable; * = any)");
  cmd->add_option("--heartbeat-sec", o->heartbeat_sec, "Heartbeat interval in seconds")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--cancel-grace-ms", o->cancel_grace_ms,
                  "Grace before a cancelled agent is abandoned")
      ->check(CLI::Range(1, 600000))
      ->capture_default_str();
  cmd->add_flag("--stdio", o->stdio, "Serve one session on stdin/stdout (NDJSON)");
  // ---- logs, audit ----
  cmd->add_option("--log-level", o->log_level,
                  "Operator log level: debug, info, warn or error (JSON lines)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  cmd->add_option("--log-file", o->log_file,
                  "Append the operator log (JSON lines) to FILE instead of stderr");
  cmd->add_option("--audit-log", o->audit_log,
                  "Append the audit trail (subscribe decisions, cancels, credential issue and "
                  "revocation, auth failures; JSON lines) to FILE instead of stderr");
  cmd->add_flag("--allow-anonymous", o->allow_anonymous,
                "Accept hellos without a token as principal 'anonymous' (with no other way to "
                "authenticate configured, any hello). Off by default: without it and without "
                "--token (or another authenticator) serve refuses to start");
  cmd->add_option("--idle-session-timeout-sec", o->idle_session_timeout_sec,
                  "§14: a connection whose session only heartbeats (no requests, no events, no "
                  "job of its own running) this long is sent session.bye and closed; the "
                  "session stays resumable (0 = never)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{30} * 24 * 3600))
      ->capture_default_str();
  add_json_config_option(*cmd, o->config_file);
  cmd->callback([o, &run, cmd] {
    if (!o->config_file.empty()) apply_json_config(*cmd, o->config_file);
    if (!has_authentication(*o))
      throw CLI::ValidationError(
          "authentication",
          "no way to authenticate sessions is configured: give --token TOKEN:PRINCIPAL (or "
          "another authenticator), or --allow-anonymous for an open development runtime");
    run = [o] { return serve(*o); };
  });
}

}  // namespace arcp::cli
