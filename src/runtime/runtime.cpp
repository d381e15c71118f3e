#include <algorithm>
#include <arcp/features.hpp>
#include <arcp/job_messages.hpp>
#include <arcp/runtime.hpp>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "runtime/connection_handler.hpp"
#include "runtime/runtime_impl.hpp"
#include "runtime/runtime_observability.hpp"

namespace arcp {
namespace {

std::shared_ptr<store::ArtifactStore> open_artifact_store(const RuntimeOptions& opts) {
  store::ArtifactLimits limits;
  limits.max_artifact_bytes = opts.max_artifact_bytes;
  limits.max_bytes_per_principal = opts.max_artifact_bytes_per_principal;
  limits.max_artifacts_per_principal = opts.max_artifacts_per_principal;
  limits.max_uploads_per_session = opts.max_artifact_uploads_per_session;
  limits.default_retention = opts.artifact_retention_default;
  limits.max_retention = opts.artifact_retention_max;
  limits.upload_idle_timeout = opts.artifact_upload_idle_timeout;
  std::string dir = opts.data_dir.empty() ? std::string() : opts.data_dir + "/artifacts";
  auto s = store::ArtifactStore::open(dir, limits, opts.artifact_clock);
  if (!s) throw std::runtime_error(s.error().message);
  return s.value();
}

std::shared_ptr<store::Store> open_store(const RuntimeOptions& opts,
                                         store::SqliteOptions sqlite_options) {
  if (opts.store) return opts.store;
  if (opts.data_dir.empty()) return store::make_memory_store();
  auto s = store::open_sqlite_store(opts.data_dir, std::move(sqlite_options));
  if (!s) throw std::runtime_error(s.error().message);
  return s.value();
}

std::shared_ptr<const Authenticator> make_auth_chain(const RuntimeOptions& opts) {
  auto chain = std::make_shared<ChainAuthenticator>();
  if (!opts.tokens.empty()) {
    auto bearer = std::make_shared<BearerAuthenticator>();
    for (const auto& [token, principal] : opts.tokens) bearer->add_token(token, principal);
    chain->bearer = std::move(bearer);
  }
  chain->jwt = opts.jwt_authenticator;
  chain->trust_peer_identity = opts.trust_client_certificates || opts.require_client_certificate;
  chain->require_peer_identity = opts.require_client_certificate;
  chain->allow_anonymous = opts.allow_anonymous;
  return chain;
}

/// If the job's terminal message reached the log, completes `rec` from it.
bool adopt_logged_outcome(store::Store& store, store::JobRecord& rec) {
  auto events = store.read_job_events(rec.session_id, rec.id, 0);
  if (events.empty()) return false;
  auto last = decode_envelope(*events.back().frame);
  if (!last || (last->type != msg::kResult && last->type != msg::kJobError)) return false;
  JobStatus status = JobStatus::kSuccess;
  if (last->type == msg::kJobError) {
    auto je = JobError::from_json(last->payload);
    status = je ? je->final_status : JobStatus::kError;
  }
  rec.status = std::string(to_string(status));
  rec.terminal_type = last->type;
  rec.terminal_payload = json::serialize(last->payload);
  rec.last_event_seq = events.back().seq;
  return true;
}

}  // namespace

Runtime::Impl::Impl(RuntimeOptions o)
    : opts(std::move(o)),
      logger(runtime::make_runtime_logger(opts)),
      metrics(std::make_shared<observability::RuntimeMetrics>()),
      io_pool(opts.io_threads != 0 ? opts.io_threads : runtime::default_io_threads()),
      blocking({opts.max_blocking_threads, opts.max_blocking_threads_per_principal,
                opts.blocking_thread_idle}),
      store(open_store(opts, runtime::observed_sqlite_options(logger, metrics))),
      quotas(opts.max_sessions_per_principal, opts.max_concurrent_jobs_per_principal),
      artifacts(open_artifact_store(opts)) {
  // base64 grows data by 4/3; the rest of the envelope fits in the slack.
  constexpr std::size_t kEnvelopeSlack = 4096;
  std::size_t frame_room = opts.max_frame_bytes > 2 * kEnvelopeSlack
                               ? (opts.max_frame_bytes - kEnvelopeSlack) / 4 * 3
                               : kEnvelopeSlack;
  artifact_chunk_bytes =
      std::max<std::size_t>(1, std::min(opts.max_artifact_chunk_bytes, frame_room));
  session_limits.max_log_events = std::max<std::size_t>(1, opts.max_buffered_events);
  // Events stop being pumped before the connection's whole budget is used,
  // so replies still fit under it.
  session_limits.high_water_bytes =
      std::min(opts.max_outbound_bytes, opts.max_queued_bytes_per_connection);
  session_limits.back_pressure_lag = opts.back_pressure_lag;
  session_limits.events_sent =
      std::shared_ptr<observability::Counter>(metrics, &metrics->events_sent);
  auth = opts.authenticator ? opts.authenticator : make_auth_chain(opts);
  // What this runtime implements today; the welcome advertises the intersection.
  supported = FeatureSet{
      feature::kHeartbeat,      feature::kAck,           feature::kListJobs, feature::kSubscribe,
      feature::kLeaseExpiresAt, feature::kCostBudget,    feature::kModelUse, feature::kProgress,
      feature::kResultChunk,    feature::kAgentVersions, feature::kArtifacts};
  services = std::make_shared<runtime::JobServices>();
  services->result_limits = {opts.max_result_chunk_bytes, opts.max_result_bytes};
  services->model_policy = opts.allow_models_without_lease ? runtime::ModelPolicy::kAllowAny
                                                           : runtime::ModelPolicy::kRequireLease;
  services->fs_base_dir =
      opts.fs_base_dir.empty() ? std::filesystem::current_path().string() : opts.fs_base_dir;
  services->max_file_bytes = opts.max_file_bytes;
  services->max_fetch_body_bytes = opts.max_fetch_body_bytes;
  services->lease_expiry_grace = opts.lease_expiry_grace;
  services->artifacts = artifacts;
  services->metrics = metrics;
}

std::shared_ptr<runtime::Job> Runtime::Impl::make_job(
    runtime::JobSpec spec, const std::shared_ptr<runtime::Session>& submitter) {
  std::weak_ptr<Impl> weak_rt = weak_from_this();
  auto job = std::make_shared<runtime::Job>(
      std::move(spec), submitter, store, io(),
      [weak_rt](runtime::Job& j) {
        if (auto r = weak_rt.lock()) r->quotas.end_job(j.spec().principal);
      },
      [weak_rt](runtime::Job& j) {
        // Finished jobs live on in the store (listing, subscribe, idempotency).
        if (auto r = weak_rt.lock()) {
          r->on_job_ended(j);
          std::lock_guard lock(r->mu);
          r->jobs.erase(j.spec().id);
        }
      });
  store->save_job(job->record());
  std::lock_guard lock(mu);
  jobs[job->spec().id] = job;
  return job;
}

void Runtime::Impl::start_job(const std::shared_ptr<runtime::Job>& job) {
  if (job->spec().agent.is_coroutine()) {
    job->start_coroutine();
    return;
  }
  blocking.submit(job->spec().principal, [job] { job->run_blocking(); });
}

void Runtime::Impl::init_credentials() {
  if (!opts.credential_provisioner) return;
  if (!store->durable() && !opts.credential_ledger_durable) {
    audit(json::serialize(
        json::object{{"type", "credential.disabled"},
                     {"reason",
                      "no durable store for the credential ledger (§14): provisioned_credentials "
                      "is not advertised"}}));
    return;
  }
  std::weak_ptr<Impl> weak = weak_from_this();
  // Credential I/O runs on the blocking pool under its own key per principal,
  // so an upstream call never waits behind (nor starves) that principal's agents.
  auto run = [weak](const std::string& principal, std::function<void()> task) {
    if (auto rt = weak.lock())
      rt->blocking.submit(
          "\x1f"
          "credentials:" +
              principal,
          std::move(task));
  };
  auto log = [weak](const std::string& line) {
    if (auto rt = weak.lock()) runtime::audit_legacy_line(*rt, line, /*also_log=*/true);
  };
  runtime::CredentialPolicy policy;
  policy.revoke_attempts = opts.credential_revoke_attempts;
  policy.backoff = opts.credential_revoke_backoff;
  policy.max_per_principal = opts.max_credentials_per_principal;
  credentials = std::make_shared<runtime::CredentialManager>(opts.credential_provisioner, store,
                                                             run, log, policy);
  credentials->set_observer(runtime::credential_observer(weak));
  services->credentials = credentials;
  supported.add(feature::kProvisionedCredentials);
}

void Runtime::Impl::recover() {
  // Credentials a previous process left are revoked before any job it left
  // is declared ended (§9.8.2: revoked before the outcome is seen).
  if (credentials) {
    credentials->recover();
  } else if (auto left = store->load_credentials(); !left.empty()) {
    audit(json::serialize(
        json::object{{"type", "credential.unrevoked"},
                     {"outstanding", left.size()},
                     {"reason",
                      "the credential ledger holds credentials a previous process left, and no "
                      "provisioner is configured to revoke them"}}));
  }
  for (const auto& rec : store->load_sessions()) {
    sessions[rec.id] = runtime::Session::restore(rec, store, io(), session_limits);
    ++sessions_per_principal[rec.principal];
  }
  for (const auto& key : store->load_idempotency_keys())
    idempotency[{key.principal, key.key}] = {key.fingerprint, key.job_id, key.created_ms};
  // Jobs the previous process never finished: their agents are gone. Record
  // their fate so a resuming client learns it (INTERNAL_ERROR is retryable).
  for (auto rec : store->unfinished_jobs()) {
    rec.finished_ms = store::wall_ms();
    if (adopt_logged_outcome(*store, rec)) {  // ended, but died before its record said so
      store->save_job(rec);
      continue;
    }
    JobError je{JobStatus::kError,
                Error(ErrorCode::kInternalError, "the runtime stopped while the job was running")};
    rec.status = std::string(to_string(JobStatus::kError));
    rec.terminal_type = std::string(msg::kJobError);
    rec.terminal_payload = json::serialize(je.to_json());
    if (auto it = sessions.find(rec.session_id); it != sessions.end())
      rec.last_event_seq =
          it->second->deliver_event(rec.terminal_type, rec.id, rec.trace_id, rec.terminal_payload);
    store->save_job(rec);
  }
  store->flush();
}

bool Runtime::Impl::may_observe(const std::string& observer, const std::string& owner) const {
  if (observer == owner) return true;
  return opts.observe_policy && opts.observe_policy(observer, owner);
}

void Runtime::Impl::audit(const std::string& line) const {
  runtime::audit_legacy_line(*this, line);
}

void Runtime::Impl::arm_sweep() {
  sweep_timer = std::make_unique<boost::asio::steady_timer>(*io(), opts.sweep_interval);
  std::weak_ptr<Impl> weak = weak_from_this();
  sweep_timer->async_wait([weak](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      self->sweep();
      std::lock_guard lock(self->mu);
      if (!self->shutting_down) self->arm_sweep();
    }
  });
}

void Runtime::Impl::sweep() {
  auto now = std::chrono::steady_clock::now();
  std::int64_t retention_cutoff_ms =
      store::wall_ms() -
      std::chrono::duration_cast<std::chrono::milliseconds>(opts.idempotency_window).count();
  std::vector<std::string> forgotten;
  {
    std::lock_guard lock(mu);
    for (auto it = sessions.begin(); it != sessions.end();) {
      if (it->second->idle_since(now - opts.resume_window)) {
        log(LogLevel::kInfo, "session.forgotten",
            json::object{{"session_id", it->first},
                         {"principal", it->second->principal()},
                         {"reason", "resume_window"}});
        forgotten.push_back(it->first);
        erase_session_locked(it++);
      } else {
        ++it;
      }
    }
    std::erase_if(idempotency,
                  [&](const auto& kv) { return kv.second.created_ms <= retention_cutoff_ms; });
  }
  for (const auto& id : forgotten) store->delete_session(id);
  for (const auto& id : store->jobs_finished_before(retention_cutoff_ms)) store->delete_job(id);
  store->delete_idempotency_before(retention_cutoff_ms);
  artifacts->sweep();  // §16.3: past their retention, artifacts are removed
  if (credentials) credentials->retry_failed_async();  // off this thread
}

void Runtime::Impl::erase_session_locked(
    std::map<std::string, std::shared_ptr<runtime::Session>>::iterator it) {
  auto count = sessions_per_principal.find(it->second->principal());
  if (count != sessions_per_principal.end() && --count->second == 0)
    sessions_per_principal.erase(count);
  sessions.erase(it);
}

bool Runtime::Impl::reserve_session(const std::string& principal) {
  std::string forgotten;
  {
    std::lock_guard lock(mu);
    auto& held = sessions_per_principal[principal];
    if (held < std::max<std::size_t>(1, opts.max_retained_sessions_per_principal)) {
      ++held;
      return true;
    }
    // At the cap: the one detached longest, with no running job, makes room
    // (scanned only here, when a principal is at its cap).
    auto victim = sessions.end();
    std::optional<std::chrono::steady_clock::time_point> oldest;
    for (auto it = sessions.begin(); it != sessions.end(); ++it) {
      if (it->second->principal() != principal) continue;
      auto t = it->second->idle_detached_at();
      if (t && (!oldest || *t < *oldest)) {
        oldest = t;
        victim = it;
      }
    }
    if (victim == sessions.end()) return false;
    forgotten = victim->first;
    log(LogLevel::kInfo, "session.forgotten",
        json::object{{"session_id", forgotten},
                     {"principal", principal},
                     {"reason", "max_retained_sessions_per_principal"}});
    sessions.erase(victim);  // its count passes to the new session
  }
  store->delete_session(forgotten);
  return true;
}

Runtime::Impl::~Impl() {
  shutdown();
  blocking.join();  // blocking agents were asked to stop; wait for them to return
  io_pool.stop();   // and coroutine agents that never returned are destroyed
}

void Runtime::Impl::shutdown() {
  std::vector<WebSocketServer*> to_stop;
  std::vector<std::shared_ptr<runtime::Job>> to_abort;
  std::vector<std::shared_ptr<runtime::ConnectionHandler>> to_close;
  std::vector<std::shared_ptr<runtime::Session>> sessions_to_pump;
  {
    std::lock_guard lock(mu);
    if (shutting_down) return;
    shutting_down = true;
    if (sweep_timer) sweep_timer->cancel();
    for (auto& [id, job] : jobs) to_abort.push_back(job);
    for (auto& [id, s] : sessions) sessions_to_pump.push_back(s);
    to_close.assign(handlers.begin(), handlers.end());
    for (auto& s : servers) to_stop.push_back(s.get());
  }
  // Jobs end first so their terminal events are flushed with the connections.
  for (auto& job : to_abort)
    if (!is_terminal(job->status())) job->abort("runtime shutting down");
  // Their credentials are revoked before their outcome goes out; what cannot
  // be in time stays in the ledger for the next start.
  if (credentials) credentials->shutdown(opts.credential_shutdown_timeout);
  store->flush();  // terminal events are durable, then pumped, before the close
  for (auto& s : sessions_to_pump) s->pump();
  // Every attached client learns why its transport ends (retryable: the
  // session resumes on the next process when the store is durable).
  for (auto& h : to_close)
    h->close_with(Error(ErrorCode::kInternalError, "the runtime is shutting down"));
  // Listeners stop accepting and drain their closes; they stay allocated
  // until ~Impl, after every session that may still hold a connection.
  for (auto* s : to_stop) s->stop();
  store->flush();  // detaches persisted their session records
}

Runtime::Runtime(RuntimeOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {
  // A job may outlive the runtime by a moment (a coroutine finishing during
  // shutdown): its offloads find the pool gone and do nothing.
  std::weak_ptr<Impl> weak = impl_;
  impl_->services->offload = [weak](const std::string& principal, std::function<void()> task) {
    if (auto rt = weak.lock()) rt->blocking.submit(principal, std::move(task));
  };
  impl_->services->delegate =
      [weak](const std::shared_ptr<runtime::Job>& parent,
             const DelegateRequest& request) -> Result<std::shared_ptr<runtime::Job>> {
    auto rt = weak.lock();
    if (!rt) return Error(ErrorCode::kInternalError, "the runtime is shutting down");
    return rt->delegate(parent, request);
  };
  impl_->init_credentials();
  std::lock_guard lock(impl_->mu);
  impl_->recover();
  impl_->arm_sweep();
}

RuntimeStats Runtime::stats() const {
  std::vector<std::shared_ptr<runtime::Job>> jobs;
  std::unique_lock lock(impl_->mu);
  RuntimeStats s;
  s.sessions = impl_->sessions.size();
  for (const auto& [id, job] : impl_->jobs) jobs.push_back(job);
  s.connections = impl_->handlers.size();
  s.idempotency_keys = impl_->idempotency.size();
  for (const auto& [id, session] : impl_->sessions)
    s.pending_frames += session->stats().pending_frames;
  // Every connection counts, authenticated or not.
  for (const auto& h : impl_->handlers) s.queued_bytes += h->queued_bytes();
  lock.unlock();  // lock order is job → runtime: job state is read outside
  for (const auto& job : jobs) s.jobs += is_terminal(job->status()) ? 0 : 1;
  auto pool = impl_->blocking.stats();
  s.io_threads = impl_->io_pool.threads();
  s.blocking_threads = pool.threads;
  s.blocking_busy = pool.busy;
  s.jobs_waiting_for_thread = pool.queued;
  s.artifacts = impl_->artifacts->size();
  auto st = impl_->store->stats();
  s.stored_events = st.events;
  s.stored_jobs = st.jobs;
  s.outstanding_credentials = st.credentials;
  if (auto failure = impl_->store->failure()) s.store_failure = failure->message;
  return s;
}

void Runtime::sweep() {
  impl_->sweep();
}

Runtime::~Runtime() {
  impl_->shutdown();
  // The pools stop here, on the thread destroying the Runtime: a handler on
  // an I/O thread may hold the last reference to Impl for a moment (e.g. a
  // credential issue completing), and ~Impl on that thread could not join
  // its own pool (std::terminate at exit under TSan). Both are idempotent.
  impl_->blocking.join();
  impl_->io_pool.stop();
}

Result<void> Runtime::register_agent(const std::string& name, AgentHandler handler,
                                     AgentOptions options) {
  return impl_->agents.add(name, std::move(handler), options);
}

Result<void> Runtime::register_agent(const std::string& name, AsyncAgentHandler handler,
                                     AgentOptions options) {
  return impl_->agents.add(name, std::move(handler), options);
}

Result<void> Runtime::register_tool(const std::string& name, ToolHandler handler,
                                    ToolOptions options) {
  return impl_->services->tools.add(name, std::move(handler), std::move(options));
}

Result<void> Runtime::register_tool(const std::string& name, AsyncToolHandler handler,
                                    ToolOptions options) {
  return impl_->services->tools.add(name, std::move(handler), std::move(options));
}

void Runtime::register_extension(const std::string& type, ExtensionHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->extensions[type] = std::move(handler);
}

void Runtime::serve(std::shared_ptr<Connection> connection) {
  connection = runtime::counted_connection(std::move(connection), *impl_);
  auto handler = std::make_shared<runtime::ConnectionHandler>(impl_, std::move(connection));
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->shutting_down) {
      handler->close();
      return;
    }
    impl_->handlers.insert(handler);
  }
  handler->start();
}

Result<std::string> Runtime::listen(WebSocketServerOptions options) {
  options.max_frame_bytes = impl_->opts.max_frame_bytes;
  if (!options.logger) options.logger = impl_->logger;
  if (!options.http_get) options.http_get = impl_->http_endpoints();
  auto server = WebSocketServer::start(
      options, [this](std::shared_ptr<Connection> c) { serve(std::move(c)); });
  if (!server) return server.error();
  std::string url = server.value()->url();
  std::lock_guard lock(impl_->mu);
  impl_->servers.push_back(std::move(server.value()));
  return url;
}

void Runtime::shutdown() {
  impl_->shutdown();
}

int Runtime::run_until_signal() {
  int signal_number = impl_->stop_request.wait_for_signal_or_request();
  if (signal_number != 0)
    impl_->log(LogLevel::kInfo, "runtime.signal",
               {{"signal", signal_number}, {"action", "shutdown"}});
  // A second signal during a slow shutdown meets the restored handlers
  // (the default ends the process at once), even where the program blocks it.
  runtime::UnblockedStopSignals unblocked;
  shutdown();
  return signal_number;
}

void Runtime::request_stop() {
  impl_->stop_request.request();
}

}  // namespace arcp
